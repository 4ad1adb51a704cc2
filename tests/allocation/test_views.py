"""The allocation's pages: who sees what, what each side never sees, and their query counts."""

import html

import pytest
from django.urls import reverse

from qmi.allocation.models import CommuneWish, Run
from qmi.allocation.services import preferences, publication, runs
from qmi.review.services import publication as decisions_publication
from tests.factories import UserFactory, metropolis_user
from tests.utils import assert_constant_queries

from .conftest import NAMES, announce, open_allocation

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def opened(world):
    apps = [
        world.add_laureate(ranking=("Argenteuil", "Sucy-en-Brie")),
        world.add_laureate(ranking=("Sucy-en-Brie", "Issy-les-Moulineaux")),
        world.add_laureate(ranking=("Issy-les-Moulineaux", "Argenteuil")),
    ]
    allocation = open_allocation(world, bounds=(1, 1))
    return allocation, apps


def commune_of(allocation, world, name):
    return allocation.communes.get(edition_commune=world.communes[name])


def test_the_operator_opens_an_allocation_from_the_call(client, world):
    world.add_laureate(ranking=("Argenteuil",))
    client.force_login(world.staff)
    url = reverse("allocation:open", kwargs={"pk": world.call.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "1 lauréat (décision « Retenu », préparée ou publiée)" in text(page)
    data = {"closes_at": "2099-03-17T12:00"}
    for name in NAMES:
        pk = world.communes[name].pk
        data |= {f"serve-{pk}": "on", f"minimum-{pk}": "9", f"maximum-{pk}": "8"}
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "Le minimum (9) dépasse le maximum (8)." in text(refused)
    assert 'value="9"' in text(refused)  # what was typed stays
    for name in NAMES:
        data[f"minimum-{world.communes[name].pk}"] = "6"
    done = client.post(url, data)
    allocation = world.call.allocation
    assert done.status_code == 302 and done["Location"] == reverse(
        "allocation:staff", kwargs={"pk": allocation.pk}
    )
    assert client.get(done["Location"]).status_code == 200


def test_a_referent_ranks_from_the_commune_page_and_a_short_list_is_warned(client, world, opened):
    allocation, apps = opened
    argenteuil = commune_of(allocation, world, "Argenteuil")
    client.force_login(world.referents["Argenteuil"])
    url = reverse("allocation:commune", kwargs={"pk": argenteuil.pk})
    page = text(client.get(url))
    assert "Solution" in page and "Description de la solution" in page
    # Only the laureate that listed Argenteuil... and the one ranking it second.
    assert page.count("a cité votre commune") == 2
    response = client.post(url, {f"rank-{apps[0].pk}": "1", f"rank-{apps[2].pk}": "1"})
    assert response.status_code == 302
    assert sorted(CommuneWish.objects.values_list("rank", flat=True)) == [1, 1]
    refused = client.post(url, {f"rank-{apps[0].pk}": "x"})
    assert refused.status_code == 422
    assert "Chaque rang est un nombre entier" in text(refused)


def test_a_commune_never_sees_ranks_nor_other_communes_wishes(client, world, opened):
    allocation, apps = opened
    sucy = commune_of(allocation, world, "Sucy-en-Brie")
    preferences.save_wishes(commune=sucy, by=world.referents["Sucy-en-Brie"], ranks={apps[1].pk: 1})
    client.force_login(world.referents["Argenteuil"])
    argenteuil = commune_of(allocation, world, "Argenteuil")
    page = text(client.get(reverse("allocation:commune", kwargs={"pk": argenteuil.pk})))
    for other in ("Sucy-en-Brie", "Issy-les-Moulineaux"):
        assert other not in page
    # Another commune's page is a 404, as is the file of a laureate that did not list it.
    assert client.get(reverse("allocation:commune", kwargs={"pk": sucy.pk})).status_code == 404
    assert (
        client.get(
            reverse(
                "allocation:commune_file",
                kwargs={"pk": argenteuil.pk, "application_pk": apps[1].pk},
            )
        ).status_code
        == 404
    )
    listed = client.get(
        reverse(
            "allocation:commune_file", kwargs={"pk": argenteuil.pk, "application_pk": apps[0].pk}
        )
    )
    assert listed.status_code == 200
    assert "Sucy-en-Brie" not in text(listed)  # its ranking question is not shown


def test_a_laureate_confirms_its_ranking_and_never_sees_the_communes_wishes(client, world, opened):
    allocation, apps = opened
    argenteuil = commune_of(allocation, world, "Argenteuil")
    preferences.save_wishes(
        commune=argenteuil, by=world.referents["Argenteuil"], ranks={apps[0].pk: 1}
    )
    announce(world)
    member = world.members[apps[0].pk]
    client.force_login(member)
    url = reverse("allocation:laureate", kwargs={"pk": allocation.pk, "application_pk": apps[0].pk})
    page = text(client.get(url))
    assert "Argenteuil, Sucy-en-Brie" in page
    assert "souhait" not in page.lower().replace("souhaitée", "")
    assert client.post(url, {"action": "confirm"}).status_code == 302
    refused = client.post(
        url,
        {
            f"rank-{world.communes['Argenteuil'].pk}": "1",
            f"rank-{world.communes['Sucy-en-Brie'].pk}": "1",
        },
    )
    assert refused.status_code == 422
    assert "un rang différent" in text(refused)
    other = reverse(
        "allocation:laureate", kwargs={"pk": allocation.pk, "application_pk": apps[1].pk}
    )
    assert client.get(other).status_code == 404


@pytest.mark.parametrize("who", ["referent", "laureate", "stranger", "metropolis"])
def test_runs_comparisons_and_the_stable_view_are_the_operators(client, world, opened, who):
    allocation, apps = opened
    run = runs.start_run(allocation=allocation, by=world.staff)
    person = {
        "referent": world.referents["Argenteuil"],
        "laureate": world.members[apps[0].pk],
        "stranger": UserFactory(),
        "metropolis": metropolis_user(),
    }[who]
    client.force_login(person)
    for name in ("allocation:run", "allocation:stable"):
        assert client.get(reverse(name, kwargs={"pk": run.pk})).status_code in (403, 404)
    compare = reverse("allocation:compare", kwargs={"pk": run.pk}) + f"?avec={run.pk}"
    assert client.get(compare).status_code in (403, 404)
    assert client.get(reverse("allocation:staff", kwargs={"pk": allocation.pk})).status_code in (
        403,
        404,
    )
    if who != "metropolis":  # the back office answers the Métropole with "whose tool" (403)
        assert client.get(reverse("allocation:run", kwargs={"pk": run.pk})).status_code == 404


def test_the_run_page_explains_and_stages(client, world, opened):
    allocation, apps = opened
    for name, app in zip(NAMES, (apps[0], apps[2], apps[1]), strict=True):
        preferences.save_wishes(
            commune=commune_of(allocation, world, name), by=world.referents[name], ranks={app.pk: 1}
        )
    client.force_login(world.staff)
    started = client.post(reverse("allocation:run_start", kwargs={"pk": allocation.pk}))
    run = Run.objects.get()
    assert started["Location"] == reverse("allocation:run", kwargs={"pk": run.pk})
    page = text(client.get(started["Location"]))
    assert "Placé à Argenteuil : 1er choix du projet, 1er souhait de la commune." in page
    assert "Ce que le calcul maximise" in page
    refused = client.post(
        reverse("allocation:stage", kwargs={"pk": run.pk}), {"rationale": ""}, follow=True
    )
    assert "Motivez la répartition retenue." in text(refused)
    client.post(reverse("allocation:stage", kwargs={"pk": run.pk}), {"rationale": "Retenu."})
    allocation.refresh_from_db()
    assert allocation.staged_run == run


def test_the_laureate_sees_its_commune_and_downloads_its_letter(client, world, opened):
    allocation, apps = opened
    for name, app in zip(NAMES, (apps[0], apps[2], apps[1]), strict=True):
        preferences.save_wishes(
            commune=commune_of(allocation, world, name), by=world.referents[name], ranks={app.pk: 1}
        )
    run = runs.start_run(allocation=allocation, by=world.staff)
    publication.stage_run(run=run, rationale="Retenu.", by=world.staff)
    decisions_publication.publish_decisions(call=world.call, by=world.staff)
    publication.publish_allocation(allocation=allocation, by=world.staff)
    member = world.members[apps[0].pk]
    client.force_login(member)
    page = text(client.get(reverse("calls:application", kwargs={"pk": apps[0].pk})))
    assert "Votre projet expérimentera à Argenteuil." in page
    placement = apps[0].placements.get()
    letter = client.get(reverse("allocation:letter", kwargs={"pk": placement.pk}))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    client.force_login(world.members[apps[1].pk])
    assert client.get(reverse("allocation:letter", kwargs={"pk": placement.pk})).status_code == 404
    public = text(client.get(world.call.get_absolute_url()))
    assert "Où expérimentent les lauréats" in public
    # The commune's letter is its team's.
    argenteuil = commune_of(allocation, world, "Argenteuil")
    commune_letter = reverse("allocation:commune_letter", kwargs={"pk": argenteuil.pk})
    client.force_login(world.referents["Argenteuil"])
    answer = client.get(commune_letter)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    page = text(client.get(reverse("allocation:commune", kwargs={"pk": argenteuil.pk})))
    assert "En cadrage" in page  # each placement is an experiment, linked
    client.force_login(world.referents["Sucy-en-Brie"])
    assert client.get(commune_letter).status_code == 404


def _grow(world, allocation, count):
    def grow():
        for _ in range(count):
            world.add_laureate(ranking=("Argenteuil", "Sucy-en-Brie"))
        _wish_all(world, allocation)

    return grow


def _wish_all(world, allocation):
    preferences.save_wishes(
        commune=commune_of(allocation, world, "Argenteuil"),
        by=world.staff,
        ranks={app.pk: i + 1 for i, app in enumerate(world.laureates)},
    )


def test_the_commune_page_costs_the_same_for_2_or_20_laureates(client, world):
    world.add_laureate(ranking=("Argenteuil",))
    world.add_laureate(ranking=("Argenteuil",))
    allocation = open_allocation(world, bounds=(0, 30))
    client.force_login(world.referents["Argenteuil"])
    url = reverse(
        "allocation:commune", kwargs={"pk": commune_of(allocation, world, "Argenteuil").pk}
    )
    large = assert_constant_queries(client, url, grow=_grow(world, allocation, 18))
    assert text(large.response).count("a cité votre commune") == 20


def test_the_run_page_costs_the_same_for_2_or_20_laureates(client, world):
    world.add_laureate(ranking=("Argenteuil",))
    world.add_laureate(ranking=("Argenteuil",))
    allocation = open_allocation(world, bounds=(0, 30))
    _wish_all(world, allocation)
    client.force_login(world.staff)
    small = runs.start_run(allocation=allocation, by=world.staff)
    assert small.status == Run.Status.OPTIMAL
    url = reverse("allocation:run", kwargs={"pk": small.pk})

    def grow():
        _grow(world, allocation, 18)()
        big = runs.start_run(allocation=allocation, by=world.staff)
        # Same run row, new content: the page reads the run it was asked for.
        Run.objects.filter(pk=small.pk).update(result=big.result, snapshot=big.snapshot)

    large = assert_constant_queries(client, url, grow=grow)
    assert text(large.response).count("Placé à") == 20
