"""The demo shows both waves of the 2nd edition's allocation, right after `make run`."""

import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from qmi.accounts.models import Organisation, User
from qmi.allocation import queries
from qmi.allocation.management.commands.load_demo_allocation import WAVE1_SLUG, WAVE2_SLUG
from qmi.allocation.models import Allocation, CommuneWish, LaureateRanking, Placement
from qmi.allocation.services.publication import held_letters
from qmi.allocation.services.runs import is_stale
from qmi.calls.management.commands.load_demo_calls import paris
from qmi.calls.models import Application
from qmi.mail.models import OutgoingEmail
from qmi.review.models import Decision, Publication

pytestmark = pytest.mark.django_db

WAVE1_COMMUNES = {"Aubervilliers", "Athis-Mons", "Fontenay-sous-Bois"}
WAVE2_COMMUNES = {"Argenteuil", "Issy-les-Moulineaux", "Sucy-en-Brie"}
REAL = {"Houelcomdesign", "Ostrea"}


def load():
    out = io.StringIO()
    call_command("load_demo", "--quiet-logins", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    return load()


def test_the_first_wave_is_published_with_its_19_laureates_placed(demo):
    allocation = Allocation.objects.select_related("call").get(call__slug=WAVE1_SLUG)
    call = allocation.call
    assert allocation.published_at == paris(2024, 10, 8, 10, 0)
    assert allocation.closes_at == paris(2024, 9, 30, 18, 0)
    assert Publication.objects.get(call=call).published_at == paris(2024, 9, 20, 10, 0)
    outcomes = Counter(Decision.objects.filter(application__call=call).values_list("outcome"))
    assert outcomes == {("selected",): 19, ("waiting_list",): 3, ("not_selected",): 3}
    placements = Placement.objects.filter(allocation=allocation, status=Placement.Status.ACTIVE)
    assert set(placements.values_list("application_id", flat=True)) == set(
        queries.laureates(call).values_list("pk", flat=True)
    )
    per_commune = Counter(placements.values_list("commune__edition_commune__commune__name"))
    assert {name for (name,) in per_commune} == WAVE1_COMMUNES
    assert all(6 <= count <= 7 for count in per_commune.values()), per_commune
    assert sum(per_commune.values()) == 19
    # The files were submitted during the real call, which stays closed.
    assert call.status == "closed"
    assert not Application.objects.filter(call=call, submitted_at__gt=call.closes_at).exists()
    # The letters wait in the outbox for staff to read them.
    letters = held_letters(allocation)
    assert letters.filter(template="allocation/email/placement").count() == 19
    assert not letters.exclude(status=OutgoingEmail.Status.HELD).exists()


def test_the_first_wave_opened_an_experiment_per_placement(demo):
    experiments = pytest.importorskip(
        "qmi.experiments.models", reason="the experiments app is not installed yet"
    )
    placed = Placement.objects.filter(allocation__call__slug=WAVE1_SLUG)
    found = experiments.Experiment.objects.filter(application__in=placed.values("application"))
    assert found.count() == 19
    assert {e.edition_commune.commune.name for e in found} == WAVE1_COMMUNES


def test_the_second_wave_has_wishes_and_a_run_placing_houelcomdesign_and_ostrea_in_argenteuil(
    demo,
):
    allocation = Allocation.objects.select_related("call").get(call__slug=WAVE2_SLUG)
    call = allocation.call
    assert call.title == "Appel à expérimenter — QMI 2, seconde vague"
    assert call.edition.number == 2 and call.status == "closed"
    assert (call.opens_at, call.closes_at) == (
        paris(2025, 1, 20, 0, 0),
        paris(2025, 2, 23, 23, 59, 59),
    )
    laureates = queries.laureates(call)
    assert laureates.count() == 24
    assert queries.waiting_list(call).count() == 2
    assert Publication.objects.filter(call=call).exists()
    # The selection is announced, so the laureates can confirm their communes.
    assert not Decision.objects.filter(application__call=call, published_at__isnull=True).exists()
    assert allocation.published_at is None and allocation.is_open()
    assert not Placement.objects.filter(allocation=allocation).exists()

    wishes = Counter(
        CommuneWish.objects.filter(commune__allocation=allocation).values_list(
            "commune__edition_commune__commune__name"
        )
    )
    assert {name for (name,) in wishes} == WAVE2_COMMUNES
    argenteuil = allocation.communes.get(edition_commune__commune__name="Argenteuil")
    ranked = dict(argenteuil.wishes.values_list("application__organisation__name", "rank"))
    assert (ranked["Houelcomdesign"], ranked["Ostrea"]) == (1, 2)
    assert argenteuil.wishes_saved_by.email == "agent.argenteuil@demo.qmi.example"
    keys = queries.ranking_keys(call)
    for name in REAL:
        application = laureates.get(organisation__name=name)
        assert queries.original_ranking(application, keys)[0] == argenteuil.edition_commune_id

    run = allocation.runs.get()
    assert run.succeeded and not is_stale(run)
    placed = {p["organisation"]: p["commune"] for p in run.result["placements"]}
    assert len(placed) == 24
    assert placed["Houelcomdesign"] == placed["Ostrea"] == "Argenteuil"
    assert all(6 <= c["count"] <= 8 for c in run.result["communes"]), run.result["communes"]

    # One laureate has not answered yet, one revised its ranking.
    answers = LaureateRanking.objects.filter(allocation=allocation)
    assert answers.count() == 23 and answers.filter(revised=True).count() == 1
    assert not answers.filter(application__organisation__demo_key="startup").exists()


def test_the_demo_logins_see_their_side_of_the_allocation(demo, client):
    wave2 = Allocation.objects.get(call__slug=WAVE2_SLUG)
    wave1 = Allocation.objects.get(call__slug=WAVE1_SLUG)
    argenteuil = wave2.communes.get(edition_commune__commune__name="Argenteuil")

    client.force_login(User.objects.get(email="operateur@demo.qmi.example"))
    for allocation in (wave1, wave2):
        assert client.get(reverse("allocation:staff", args=[allocation.pk])).status_code == 200
    assert client.get(reverse("allocation:run", args=[wave2.runs.get().pk])).status_code == 200
    assert client.get(reverse("allocation:outbox", args=[wave1.pk])).status_code == 200

    client.force_login(User.objects.get(email="agent.argenteuil@demo.qmi.example"))
    page = client.get(reverse("allocation:commune", args=[argenteuil.pk]))
    assert page.status_code == 200 and "Houelcomdesign" in page.content.decode()
    assert (
        client.get(reverse("allocation:commune", args=[wave1.communes.first().pk])).status_code
        == 404
    )

    person = User.objects.get(email="experimentateur@demo.qmi.example")
    mine = queries.laureates(wave2.call).get(organisation__demo_key="startup")
    client.force_login(person)
    items = queries.home_items(person)
    assert [(i["kind"], i["application"]) for i in items] == [("laureate", mine)]
    assert client.get(reverse("allocation:laureate", args=[wave2.pk, mine.pk])).status_code == 200


def test_fictional_organisations_are_marked_and_the_real_ones_are_not(demo):
    organisations = Organisation.objects.filter(
        applications__call__slug__in=[WAVE1_SLUG, WAVE2_SLUG]
    ).distinct()
    assert organisations.count() == 25 + 26
    for organisation in organisations:
        if organisation.name in REAL:
            assert not organisation.is_demo
            assert "démonstration" in organisation.description
        else:
            assert organisation.is_demo, organisation.name
            assert "fictive" in organisation.description.lower(), organisation.name


def counts():
    models = [
        *apps.get_app_config("allocation").get_models(),
        Application,
        Decision,
        Publication,
        Organisation,
        User,
        OutgoingEmail,
    ]
    if apps.is_installed("qmi.experiments"):
        models += list(apps.get_app_config("experiments").get_models())
    return {model.__name__: model.objects.count() for model in models}


def test_loading_twice_changes_nothing(demo):
    assert "Répartitions de démonstration chargées" in demo
    before = counts()
    closes_at = Allocation.objects.get(call__slug=WAVE2_SLUG).closes_at
    again = load()
    assert "Répartitions de démonstration déjà chargées" in again
    assert counts() == before
    assert Allocation.objects.get(call__slug=WAVE2_SLUG).closes_at == closes_at
