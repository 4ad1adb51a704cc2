"""Duplicating a call from a previous edition: texts, FAQ and form copied; sessions not; form unpublished."""

import datetime

import pytest
from django.utils import timezone

from qmi.calls.models import Call, FaqEntry, Question
from qmi.calls.queries import questions_of
from qmi.core.audit import entries_for
from tests.factories import CallFactory, EditionFactory, add_question, information_session

pytestmark = pytest.mark.django_db


def source_call():
    call = CallFactory(
        presentation="<p>Présentation</p>",
        eligible_kinds=["commune"],
        criteria="Pertinence du défi",
        contact_name="Équipe QMI",
        contact_email="qmi@exemple.fr",
        reference_prefix="AMI2",
    )
    add_question(call, "motivations", Question.Kind.LONG_TEXT, config={"max_chars": 3000})
    add_question(call, "sold", Question.Kind.YES_NO)
    add_question(call, "where", condition_key="sold", condition_value="yes")
    FaqEntry.objects.create(
        call=call, question="Qui peut candidater ?", answer="Les communes.", order=1
    )
    start = timezone.now()
    information_session(
        call=call, title="Webinaire", starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    return call


def form_data(edition, **overrides):
    data = {
        "edition": edition.pk,
        "title": "AMI — 3e édition",
        "slug": "qmi-3-ami",
        "opens_at": "2026-10-01T00:00",
        "closes_at": "2027-01-15T23:59",
        "reference_prefix": "AMI3",
    }
    data.update(overrides)
    return data


def test_duplicate_copies_texts_faq_and_form_unpublished_without_sessions(staff_client):
    source = source_call()
    edition = EditionFactory()
    response = staff_client.post(f"/gestion/appels/{source.pk}/dupliquer/", form_data(edition))
    call = Call.objects.get(slug="qmi-3-ami")
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/appels/{call.pk}/formulaire/"
    assert call.edition == edition
    assert call.status == Call.Status.DRAFT
    assert (
        call.presentation,
        call.eligible_kinds,
        call.criteria,
        call.contact_name,
        call.contact_email,
    ) == (
        "<p>Présentation</p>",
        ["commune"],
        "Pertinence du défi",
        "Équipe QMI",
        "qmi@exemple.fr",
    )
    assert call.kind == source.kind
    assert (
        timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M %Z") == "2026-10-01 00:00 CEST"
    )
    assert list(call.faq.values_list("question", "answer")) == [
        ("Qui peut candidater ?", "Les communes.")
    ]
    assert not call.events.exists()
    revision = call.revisions.get()
    assert revision.number == 1 and revision.published_at is None
    copied = questions_of(revision)
    assert [(q.key, q.kind, q.config, q.condition_key) for q in copied] == [
        (q.key, q.kind, q.config, q.condition_key) for q in questions_of(source.current_revision)
    ]
    assert call.current_revision is None
    # The source keeps its own form and sessions.
    assert len(questions_of(source.current_revision)) == 3
    assert source.events.count() == 1
    assert entries_for(call).filter(action="duplicated").exists()
    assert entries_for(source).filter(action="duplicated").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "taken"}, "slug", "déjà cet identifiant"),
        ({"reference_prefix": "ami2"}, "reference_prefix", "déjà utilisé"),
        ({"closes_at": "2026-09-01T00:00"}, "closes_at", "après l'ouverture"),
    ],
)
def test_duplicate_invalid_shows_message_and_creates_nothing(
    staff_client, overrides, field, message
):
    source = source_call()
    CallFactory(slug="taken")
    before = Call.objects.count()
    response = staff_client.post(
        f"/gestion/appels/{source.pk}/dupliquer/", form_data(EditionFactory(), **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Call.objects.count() == before


def test_duplicate_page_prefills_from_source(staff_client):
    source = source_call()
    response = staff_client.get(f"/gestion/appels/{source.pk}/dupliquer/")
    assert response.status_code == 200
    assert f"{source.slug}-copie" in response.content.decode()
