"""Opening an allocation and both sides' preferences: what is kept, what is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qmi.allocation import queries
from qmi.allocation.models import AllocationCommune, CommuneWish, LaureateRanking
from qmi.allocation.services import preferences
from qmi.calls.models import Call
from qmi.core.models import AuditEntry
from tests.factories import CallFactory, CommuneRoleFactory, EditionCommuneFactory, UserFactory

from .conftest import NAMES, announce, make_world, open_allocation

pytestmark = pytest.mark.django_db


def later(days=7):
    return timezone.now() + datetime.timedelta(days=days)


def test_opening_keeps_each_communes_bounds_and_is_audited(world):
    allocation = open_allocation(world, bounds=(6, 8))
    rows = AllocationCommune.objects.filter(allocation=allocation)
    assert sorted((str(c), c.minimum, c.maximum) for c in rows) == [(name, 6, 8) for name in NAMES]
    assert AuditEntry.objects.filter(action="allocation_opened").count() == 1


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((9, 8), "Le minimum (9) dépasse le maximum (8)."),
        ((-1, 8), "Le minimum ne peut pas être négatif."),
        ((None, 8), "Le minimum et le maximum sont des nombres entiers."),
    ],
)
def test_bad_bounds_are_refused_and_nothing_is_saved(world, bounds, message):
    with pytest.raises(ValidationError) as refused:
        open_allocation(world, bounds=bounds)
    assert message in str(refused.value)
    assert not AllocationCommune.objects.exists()


def test_only_a_call_for_projects_opens_once_with_its_own_communes(world):
    ami = CallFactory(kind=Call.Kind.EXPRESSION_OF_INTEREST, edition=world.call.edition)
    with pytest.raises(ValidationError, match="Seul un appel à expérimenter"):
        preferences.open_allocation(
            call=ami,
            by=world.staff,
            closes_at=later(),
            communes=[(world.communes["Argenteuil"], 1, 2)],
        )
    elsewhere = EditionCommuneFactory(commune__name="Rungis")
    with pytest.raises(ValidationError, match="Rungis n'est pas une commune de l'édition"):
        preferences.open_allocation(
            call=world.call, by=world.staff, closes_at=later(), communes=[(elsewhere, 1, 2)]
        )
    twice = world.communes["Argenteuil"]
    with pytest.raises(ValidationError, match="choisie deux fois"):
        preferences.open_allocation(
            call=world.call,
            by=world.staff,
            closes_at=later(),
            communes=[(twice, 1, 2), (twice, 1, 2)],
        )
    open_allocation(world)
    with pytest.raises(ValidationError, match="déjà ouverte"):
        open_allocation(world)


def test_only_the_operator_opens_an_allocation(world):
    with pytest.raises(PermissionDenied):
        preferences.open_allocation(
            call=world.call, by=UserFactory(), closes_at=later(), communes=[]
        )


def test_a_referents_wishes_keep_ties_as_shared_ranks(world):
    a, b, c = (world.add_laureate() for _ in range(3))
    allocation = open_allocation(world)
    commune = allocation.communes.get(edition_commune=world.communes["Argenteuil"])
    warning = preferences.save_wishes(
        commune=commune, by=world.referents["Argenteuil"], ranks={a.pk: 1, b.pk: 1, c.pk: 2}
    )
    assert warning == ""
    assert dict(CommuneWish.objects.values_list("application_id", "rank")) == {
        a.pk: 1,
        b.pk: 1,
        c.pk: 3,
    }
    # Saving again replaces the list: an unlisted project is not wanted.
    preferences.save_wishes(commune=commune, by=world.referents["Argenteuil"], ranks={c.pk: 1})
    assert dict(CommuneWish.objects.values_list("application_id", "rank")) == {c.pk: 1}


def test_a_short_list_is_warned_not_refused(world):
    apps = [world.add_laureate() for _ in range(4)]
    allocation = open_allocation(world, bounds=(6, 8))
    commune = allocation.communes.get(edition_commune=world.communes["Argenteuil"])
    warning = preferences.save_wishes(
        commune=commune,
        by=world.referents["Argenteuil"],
        ranks={app.pk: i + 1 for i, app in enumerate(apps)},
    )
    assert warning == "Vous avez retenu 4 projets ; votre commune doit en accueillir au moins 6."
    assert CommuneWish.objects.count() == 4


def test_wishes_refuse_a_project_of_another_call_and_a_bad_rank(world):
    mine = world.add_laureate()
    other_world = make_world(edition=world.call.edition)
    stranger = other_world.add_laureate()
    allocation = open_allocation(world)
    commune = allocation.communes.get(edition_commune=world.communes["Argenteuil"])
    referent = world.referents["Argenteuil"]
    with pytest.raises(ValidationError, match="n'est pas lauréat de cet appel"):
        preferences.save_wishes(commune=commune, by=referent, ranks={stranger.pk: 1})
    with pytest.raises(ValidationError, match="entre 1 et 1"):
        preferences.save_wishes(commune=commune, by=referent, ranks={mine.pk: 0})
    assert not CommuneWish.objects.exists()


def test_only_the_agent_referent_ranks_the_rest_of_the_team_reads(world):
    world.add_laureate()
    allocation = open_allocation(world)
    commune = allocation.communes.get(edition_commune=world.communes["Argenteuil"])
    elected = CommuneRoleFactory(
        edition_commune=world.communes["Argenteuil"], role="elected_referent"
    ).user
    assert elected.has_perm("allocation.view_wishes", commune)
    assert not elected.has_perm("allocation.rank_laureates", commune)
    with pytest.raises(PermissionDenied):
        preferences.save_wishes(commune=commune, by=elected, ranks={})
    other_referent = world.referents["Sucy-en-Brie"]
    assert not other_referent.has_perm("allocation.view_wishes", commune)


def test_after_the_window_only_the_operator_records_wishes(world):
    app = world.add_laureate()
    allocation = open_allocation(world)
    allocation.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    allocation.save()
    commune = allocation.communes.get(edition_commune=world.communes["Argenteuil"])
    with pytest.raises(ValidationError, match="Les préférences sont closes"):
        preferences.save_wishes(
            commune=commune, by=world.referents["Argenteuil"], ranks={app.pk: 1}
        )
    preferences.save_wishes(commune=commune, by=world.staff, ranks={app.pk: 1})
    assert CommuneWish.objects.count() == 1


def test_a_laureate_confirms_or_revises_its_ranking_and_the_original_stays(world):
    app = world.add_laureate(ranking=("Argenteuil", "Sucy-en-Brie"))
    announce(world)
    allocation = open_allocation(world)
    member = world.members[app.pk]
    argenteuil, sucy, issy = (world.communes[n].pk for n in NAMES[::2] + NAMES[1:2])
    row = preferences.answer_ranking(
        allocation=allocation, application=app, by=member, ranking=[argenteuil, sucy]
    )
    assert row.revised is False
    row = preferences.answer_ranking(
        allocation=allocation, application=app, by=member, ranking=[sucy, issy]
    )
    assert row.revised is True
    app.refresh_from_db()
    assert app.answers["communes"] == [str(argenteuil), str(sucy)]
    keys = queries.ranking_keys(world.call)
    assert queries.rankings_in_force(allocation, [app], keys)[app.pk][0] == [sucy, issy]
    assert LaureateRanking.objects.count() == 1
    assert AuditEntry.objects.filter(action="laureate_ranking_revised").count() == 1


def test_a_ranking_refuses_duplicates_and_communes_not_served(world):
    app = world.add_laureate(ranking=("Argenteuil",))
    announce(world)
    allocation = open_allocation(world)
    member = world.members[app.pk]
    argenteuil = world.communes["Argenteuil"].pk
    with pytest.raises(ValidationError, match="qu'une fois"):
        preferences.answer_ranking(
            allocation=allocation, application=app, by=member, ranking=[argenteuil, argenteuil]
        )
    rungis = EditionCommuneFactory(edition=world.call.edition, commune__name="Rungis")
    with pytest.raises(ValidationError, match="n'est pas servie"):
        preferences.answer_ranking(
            allocation=allocation, application=app, by=member, ranking=[rungis.pk]
        )
    assert not LaureateRanking.objects.exists()


def test_nobody_answers_for_another_laureate(world):
    mine, theirs = world.add_laureate(), world.add_laureate()
    announce(world)
    allocation = open_allocation(world)
    with pytest.raises(PermissionDenied):
        preferences.answer_ranking(
            allocation=allocation,
            application=theirs,
            by=world.members[mine.pk],
            ranking=[world.communes["Argenteuil"].pk],
        )


def test_a_commune_only_learns_which_laureates_listed_it(world):
    listing = world.add_laureate(ranking=("Sucy-en-Brie", "Argenteuil"))
    world.add_laureate(ranking=("Sucy-en-Brie",))
    allocation = open_allocation(world)
    commune = allocation.communes.get(edition_commune=world.communes["Argenteuil"])
    assert queries.listed_by(allocation, commune, queries.ranking_keys(world.call)) == {listing.pk}


def test_reminders_go_three_days_and_one_day_before_to_those_who_have_not_answered(world):
    from qmi.allocation.services.reminders import send_preference_reminders  # noqa: PLC0415
    from qmi.mail.models import Notification  # noqa: PLC0415

    answered = world.add_laureate(ranking=("Argenteuil",))
    silent = world.add_laureate(ranking=("Argenteuil",))
    announce(world)
    allocation = open_allocation(world, days=30)
    # Fixed Paris hours, so the test means the same whatever the time it runs.
    now = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    allocation.closes_at = now + datetime.timedelta(days=3, hours=3)
    allocation.save()
    argenteuil = allocation.communes.get(edition_commune=world.communes["Argenteuil"])
    preferences.save_wishes(
        commune=argenteuil, by=world.referents["Argenteuil"], ranks={answered.pk: 1}
    )
    preferences.answer_ranking(
        allocation=allocation,
        application=answered,
        by=world.members[answered.pk],
        ranking=[world.communes["Argenteuil"].pk],
    )
    assert send_preference_reminders(now=now - datetime.timedelta(days=1)) == 0  # J-4
    assert send_preference_reminders(now=now) == 3  # two communes, one laureate
    reminded = set(Notification.objects.values_list("recipient_id", flat=True))
    assert reminded == {
        world.referents["Issy-les-Moulineaux"].pk,
        world.referents["Sucy-en-Brie"].pk,
        world.members[silent.pk].pk,
    }
    assert send_preference_reminders(now=now) == 0  # once per day


def test_a_laureate_answers_only_once_its_selection_is_announced(world, client):
    from django.urls import reverse  # noqa: PLC0415

    app = world.add_laureate(ranking=("Argenteuil",))
    allocation = open_allocation(world)
    member = world.members[app.pk]
    ranking = [world.communes["Argenteuil"].pk]
    with pytest.raises(ValidationError, match="n'est pas lauréat de cet appel"):
        preferences.answer_ranking(
            allocation=allocation, application=app, by=member, ranking=ranking
        )
    client.force_login(member)
    url = reverse("allocation:laureate", kwargs={"pk": allocation.pk, "application_pk": app.pk})
    assert client.get(url).status_code == 404  # a staged decision is staff only
    # The operator may record an answer received otherwise.
    preferences.answer_ranking(
        allocation=allocation, application=app, by=world.staff, ranking=ranking
    )
    announce(world)
    assert client.get(url).status_code == 200
