"""Demo calls: the two real calls of the 2nd edition and a fictional open one, loaded idempotently."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from qmi.calls.models import Call, Question
from qmi.calls.queries import questions_of
from qmi.events.queries import events_about

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def counts():
    return {
        model.__name__: model.objects.count() for model in apps.get_app_config("calls").get_models()
    }


@pytest.fixture
def loaded():
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("load_demo_calls", stdout=io.StringIO())


def test_load_demo_calls_twice_changes_nothing(loaded):
    before = counts()
    snapshot = list(Call.objects.order_by("slug").values())
    call_command("load_demo_calls", stdout=io.StringIO())
    assert counts() == before
    assert list(Call.objects.order_by("slug").values()) == snapshot


def test_load_demo_calls_creates_the_ami_with_paris_dates_sessions_and_four_documents(loaded):
    ami = Call.objects.get(slug="qmi-2-ami")
    assert ami.edition.number == 2
    assert ami.kind == Call.Kind.EXPRESSION_OF_INTEREST
    assert ami.eligible_kinds == ["commune"]
    assert ami.status == Call.Status.CLOSED
    assert ami.reference_prefix == "AMI2"
    assert ami.opens_at == datetime.datetime(2023, 10, 23, 0, 0, tzinfo=PARIS)
    assert ami.closes_at == datetime.datetime(2024, 1, 12, 23, 59, 59, tzinfo=PARIS)
    assert "diversité des partenaires locaux" in ami.criteria
    sessions = [
        (
            timezone.localtime(s.starts_at).strftime("%d/%m/%Y %H:%M"),
            timezone.localtime(s.ends_at).strftime("%H:%M"),
        )
        for s in ami.events.order_by("starts_at")
    ]
    assert sessions == [("14/11/2023 09:00", "10:00"), ("23/11/2023 12:30", "13:30")]
    revision = ami.current_revision
    assert revision is not None
    assert [s.title for s in revision.sections.order_by("order")] == [
        "La commune",
        "Le projet",
        "Le secteur proposé",
        "Pièces",
    ]
    documents = [q for q in questions_of(revision) if q.kind == Question.Kind.DOCUMENT]
    assert [(q.key, q.config["accepted"], q.config["multiple"]) for q in documents] == [
        ("lettre-maire", ["pdf"], False),
        ("formulaire-complete", ["pdf", "text"], False),
        ("fiche-secteur", ["pdf"], False),
        ("lettres-soutien", ["pdf"], True),
    ]
    motivations = next(q for q in questions_of(revision) if q.key == "motivations")
    assert motivations.config == {"max_chars": 3000}
    theme = next(q for q in questions_of(revision) if q.key == "secteur-theme")
    assert len(theme.config["choices"]) == 8


def test_load_demo_calls_creates_the_call_for_projects(loaded):
    call = Call.objects.get(slug="qmi-2-appel-a-experimenter")
    assert call.kind == Call.Kind.PROJECTS
    assert call.eligible_kinds == ["experimenter"]
    assert call.status == Call.Status.CLOSED
    assert call.reference_prefix == "AAE2"
    assert timezone.localtime(call.opens_at).isoformat() == "2024-05-13T00:00:00+02:00"
    assert timezone.localtime(call.closes_at).isoformat() == "2024-06-16T23:59:59+02:00"
    questions = {q.key: q for q in questions_of(call.current_revision)}
    assert "Prototype" in questions["solution-maturite"].config["choices"]
    assert questions["deja-commercialisee"].kind == Question.Kind.YES_NO
    follow_up = questions["commercialisation"]
    assert (follow_up.condition_key, follow_up.condition_value) == ("deja-commercialisee", "yes")
    assert questions["communes-souhaitees"].config == {"max_ranked": 3}
    assert questions["video"].kind == Question.Kind.URL and not questions["video"].required
    assert questions["kbis-statuts"].config["accepted"] == ["pdf"]


def test_load_demo_calls_creates_an_open_fictional_call_with_the_ami_form(loaded):
    demo = Call.objects.get(slug="demo-appel-fictif")
    assert "fictif" in demo.title and "fictif" in demo.presentation.lower()
    assert demo.accepts_submissions()
    assert demo.closes_at - demo.opens_at == datetime.timedelta(days=61)
    assert demo.eligible_kinds == ["commune"]  # a startup is never asked for a mayor's letter
    ami = Call.objects.get(slug="qmi-2-ami")
    keys = [(q.key, q.kind, q.config) for q in questions_of(demo.current_revision)]
    assert keys == [(q.key, q.kind, q.config) for q in questions_of(ami.current_revision)]


def test_load_demo_calls_keeps_the_fictional_call_dates_on_a_later_run(loaded):
    demo = Call.objects.get(slug="demo-appel-fictif")
    earlier = timezone.now() - datetime.timedelta(days=3)
    Call.objects.filter(pk=demo.pk).update(opens_at=earlier)
    call_command("load_demo_calls", stdout=io.StringIO())
    demo.refresh_from_db()
    assert demo.opens_at == earlier


def test_load_demo_calls_without_editions_explains_what_to_run(db):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_calls", stdout=io.StringIO())


def test_the_demo_has_a_call_open_to_communes_and_one_to_experimenters_each_with_a_session(
    loaded,
):
    """Dates follow the day the demo was loaded, in an edition whose stage matches today."""
    today = timezone.localdate()
    ami = Call.objects.get(slug="demo-appel-fictif")
    projects = Call.objects.get(slug="demo-appel-a-experimenter")
    assert ami.accepts_submissions() and projects.accepts_submissions()
    assert ami.eligible_kinds == ["commune"] and projects.eligible_kinds == ["experimenter"]
    assert ami.edition == projects.edition and ami.edition.slug == "demo"
    for call in (ami, projects):
        sessions = list(events_about(call))
        assert len(sessions) == 1 and sessions[0].starts_at > timezone.now()
    edition = ami.edition
    current = edition.phases.get(kind=edition.stage)
    assert current.starts_on <= today <= current.ends_on
    assert edition.stage == "call_for_projects"
    # The ranking of the call for projects offers the edition's communes.
    assert edition.communes.count() == 4
    assert any(
        q.kind == Question.Kind.COMMUNE_RANKING for q in questions_of(projects.current_revision)
    )
