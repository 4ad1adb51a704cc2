"""An experiment's page and the list: who sees them, what they show, what they cost."""

import html

import pytest
from django.urls import reverse

from qmi.allocation.models import Placement
from qmi.experiments.models import Experiment, Status
from qmi.experiments.services import change_status, move_experiment, open_experiment
from qmi.programmes.models import CommuneRole
from tests.factories import (
    CommuneRoleFactory,
    EditionCommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    commune_member,
    metropolis_user,
)
from tests.utils import assert_constant_queries, logged_in, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def experiment(programme, staff):
    return open_experiment(placement=programme.place(commune=0), by=staff)


def page_of(client, experiment):
    return client.get(reverse("experiments:detail", args=[experiment.pk]))


def text(response):
    return html.unescape(response.content.decode())


# Who sees an experiment's page ----------------------------------------------------------


def test_staff_and_the_metropolis_see_every_experiment(client, staff, experiment):
    assert page_of(logged_in(client, staff), experiment).status_code == 200
    assert page_of(logged_in(client, metropolis_user()), experiment).status_code == 200


def test_the_laureate_s_team_sees_its_experiment(client, experiment):
    assert (
        page_of(logged_in(client, member_of(experiment.organisation)), experiment).status_code
        == 200
    )


@pytest.mark.parametrize("role", CommuneRole.Role.values)
def test_the_commune_s_referents_and_experts_see_its_experiments(client, experiment, role):
    referent = CommuneRoleFactory(edition_commune=experiment.edition_commune, role=role).user
    assert page_of(logged_in(client, referent), experiment).status_code == 200


def test_the_commune_s_organisation_sees_its_experiments(client, experiment):
    agent = commune_member(experiment.edition_commune.commune)
    assert page_of(logged_in(client, agent), experiment).status_code == 200


def test_others_get_404_and_visitors_the_login_page(client, experiment):
    other_startup = member_of(OrganisationFactory())
    other_commune = EditionCommuneFactory(edition=experiment.edition)
    other_referent = CommuneRoleFactory(edition_commune=other_commune).user
    # The same commune in another edition is another team.
    same_town_other_edition = CommuneRoleFactory(
        edition_commune=EditionCommuneFactory(commune=experiment.edition_commune.commune)
    ).user
    for outsider in (other_startup, other_referent, same_town_other_edition, UserFactory()):
        assert page_of(logged_in(client, outsider), experiment).status_code == 404
    client.logout()
    response = page_of(client, experiment)
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
    assert client.get(reverse("experiments:detail", args=[experiment.pk + 999])).status_code == 302


def test_a_guessed_id_answers_404_like_a_forbidden_one(client, experiment):
    logged_in(client, member_of(experiment.organisation))
    assert client.get(reverse("experiments:detail", args=[experiment.pk + 999])).status_code == 404


# What the page shows -------------------------------------------------------------------


def test_the_page_shows_the_parties_and_the_history_newest_first(
    client, programme, staff, experiment
):
    colleague = member_of(experiment.organisation, full_name="Alice Porteuse")
    CommuneRoleFactory(
        edition_commune=programme.communes[1].edition_commune,
        user=UserFactory(full_name="Bruno Référent"),
    )
    Placement.objects.filter(pk=experiment.placement_id).update(status=Placement.Status.MOVED)
    new = programme.place(experiment.application, commune=1)
    move_experiment(experiment=experiment, placement=new, by=staff)
    change_status(experiment=experiment, target=Status.PREPARATION, by=staff)

    page = text(page_of(logged_in(client, colleague), experiment))
    source, target = (c.edition_commune for c in programme.communes)
    assert experiment.title in page and "En préparation" in page
    assert experiment.organisation.name in page and "Alice Porteuse" in page
    assert target.commune.name in page and "Bruno Référent" in page
    assert target.challenge.title in page and target.sector.name in page
    assert experiment.edition.title in page
    changed = page.index("« En cadrage » → « En préparation »")
    moved = page.index(f"déplacée de {source.commune.name} à {target.commune.name}")
    opened = page.index(f"expérimentation ouverte à {source.commune.name}")
    assert changed < moved < opened


def test_the_application_file_is_linked_for_those_who_may_read_it(client, staff, experiment):
    application = experiment.application
    backoffice = reverse("calls:backoffice_application", args=[application.pk])
    own = reverse("calls:application", args=[application.pk])
    assert backoffice in page_of(logged_in(client, staff), experiment).content.decode()
    assert (
        own
        in page_of(
            logged_in(client, member_of(experiment.organisation)), experiment
        ).content.decode()
    )
    referent = CommuneRoleFactory(edition_commune=experiment.edition_commune).user
    page = page_of(logged_in(client, referent), experiment).content.decode()
    assert own not in page and backoffice not in page
    assert application.reference in page


def test_only_the_operator_gets_the_moves(client, staff, experiment):
    move_url = reverse("experiments:move", args=[experiment.pk])
    page = page_of(logged_in(client, staff), experiment).content.decode()
    assert move_url in page and "Passer en préparation" in page
    for person in (metropolis_user(), member_of(experiment.organisation)):
        assert move_url not in page_of(logged_in(client, person), experiment).content.decode()


# The operator's moves ------------------------------------------------------------------


def test_the_operator_moves_the_experiment_from_its_page(client, staff, experiment):
    url = reverse("experiments:move", args=[experiment.pk])
    response = logged_in(client, staff).post(url, {"target": Status.PREPARATION}, follow=True)
    assert "maintenant « En préparation »" in text(response)
    experiment.refresh_from_db()
    assert experiment.status == Status.PREPARATION


def test_a_stop_without_a_note_is_refused_on_the_page(client, staff, experiment):
    Experiment.objects.filter(pk=experiment.pk).update(status=Status.RUNNING)
    url = reverse("experiments:move", args=[experiment.pk])
    response = logged_in(client, staff).post(url, {"target": Status.STOPPED, "note": " "})
    assert response.status_code == 422
    assert "la note est obligatoire" in text(response)
    response = client.post(url, {"target": Status.FINISHED + "x"})
    assert response.status_code == 422
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    client.post(url, {"target": Status.STOPPED, "note": "Le site est fermé."})
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED


def test_nobody_else_moves_it(client, experiment):
    url = reverse("experiments:move", args=[experiment.pk])
    response = logged_in(client, metropolis_user()).post(url, {"target": Status.PREPARATION})
    assert response.status_code == 403 and "outils de l'opérateur" in text(response)
    response = logged_in(client, member_of(experiment.organisation)).post(
        url, {"target": Status.PREPARATION}
    )
    assert response.status_code == 404
    client.logout()
    assert client.post(url, {"target": Status.PREPARATION}).status_code == 302
    experiment.refresh_from_db()
    assert experiment.status == Status.FRAMING


# The list ------------------------------------------------------------------------------


def titles(response):
    return {e.title for e in response.context["page"].object_list}


def test_each_person_lists_what_they_may_see(client, programme, staff):
    ours = open_experiment(placement=programme.place(commune=0), by=staff)
    theirs = open_experiment(placement=programme.place(commune=1), by=staff)
    url = reverse("experiments:list")
    assert titles(logged_in(client, staff).get(url)) == {ours.title, theirs.title}
    assert titles(logged_in(client, member_of(ours.organisation)).get(url)) == {ours.title}
    referent = CommuneRoleFactory(edition_commune=theirs.edition_commune).user
    assert titles(logged_in(client, referent).get(url)) == {theirs.title}
    assert titles(logged_in(client, member_of(OrganisationFactory())).get(url)) == set()
    client.logout()
    assert client.get(url).status_code == 302


def test_staff_filter_by_edition_commune_and_state(client, programme, staff):
    first = open_experiment(placement=programme.place(commune=0), by=staff)
    second = open_experiment(placement=programme.place(commune=1), by=staff)
    change_status(experiment=second, target=Status.PREPARATION, by=staff)
    url = reverse("experiments:list")
    logged_in(client, staff)
    assert titles(client.get(url, {"status": Status.PREPARATION})) == {second.title}
    assert titles(client.get(url, {"commune": first.edition_commune_id})) == {first.title}
    assert titles(client.get(url, {"edition": programme.edition.pk})) == {
        first.title,
        second.title,
    }
    # A value that is no choice filters nothing and is said, never a 500.
    for junk in ("١٢٣", "9" * 40, "pas-un-nombre"):
        response = client.get(url, {"edition": junk, "commune": junk, "status": junk})
        assert response.status_code == 200
        assert titles(response) == {first.title, second.title}


@pytest.mark.usefixtures("uncached_fragments")
@pytest.mark.parametrize("who", ["staff", "laureate", "referent"])
def test_the_list_costs_the_same_for_2_and_20_experiments(client, programme, staff, who):
    """A laureate's person belongs to every laureate organisation (one file per call each)."""
    person = {
        "staff": staff,
        "laureate": UserFactory(),
        "referent": CommuneRoleFactory(edition_commune=programme.communes[0].edition_commune).user,
    }[who]

    def add(count):
        for _ in range(count):
            organisation = OrganisationFactory()
            MembershipFactory(user=person, organisation=organisation)
            experiment = open_experiment(
                placement=programme.place(programme.laureate(organisation=organisation)),
                by=staff,
            )
            change_status(experiment=experiment, target=Status.PREPARATION, by=staff)

    add(2)
    logged_in(client, person)
    large = assert_constant_queries(client, reverse("experiments:list"), grow=lambda: add(18))
    assert large.response.context["page"].paginator.count == 20


@pytest.mark.usefixtures("uncached_fragments")
def test_the_page_costs_the_same_whatever_its_history(client, programme, staff, experiment):
    def grow():
        for target in [Status.PREPARATION, Status.RUNNING] + [Status.PAUSED, Status.RUNNING] * 5:
            change_status(experiment=experiment, target=target, by=staff)
        for _ in range(5):
            member_of(experiment.organisation)
            CommuneRoleFactory(edition_commune=experiment.edition_commune)

    logged_in(client, staff)
    assert_constant_queries(client, reverse("experiments:detail", args=[experiment.pk]), grow=grow)
