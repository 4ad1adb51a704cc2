"""Who may reach what: commune agents see their own workspace only, the back office is staff's."""

import pytest
from django.urls import reverse

from qmi.accounts.models import Membership, Organisation
from tests.factories import (
    ChallengeFactory,
    CommuneFactory,
    CommuneRoleFactory,
    EditionCommuneFactory,
    EditionFactory,
    MembershipFactory,
    OrganisationFactory,
    PhaseFactory,
    UserFactory,
    commune_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communes():
    edition = EditionFactory()
    sceaux = EditionCommuneFactory(
        edition=edition, commune=CommuneFactory(insee="92071", name="Sceaux", slug="sceaux")
    )
    argenteuil = EditionCommuneFactory(
        edition=edition,
        commune=CommuneFactory(insee="95018", name="Argenteuil", slug="argenteuil"),
    )
    ChallengeFactory(edition_commune=sceaux)
    ChallengeFactory(edition_commune=argenteuil)
    return sceaux, argenteuil


def backoffice_urls(edition_commune):
    edition = edition_commune.edition
    phase = edition.phases.first() or PhaseFactory(edition=edition)
    return [
        ("get", reverse("portal:backoffice")),
        ("get", reverse("programmes:edition_create")),
        ("get", reverse("programmes:edition", args=[edition.pk])),
        ("get", reverse("programmes:edition_edit", args=[edition.pk])),
        ("post", reverse("programmes:edition_move", args=[edition.pk])),
        ("get", reverse("programmes:phase_create", args=[edition.pk])),
        ("get", reverse("programmes:phase_edit", args=[edition.pk, phase.pk])),
        ("post", reverse("programmes:phase_delete", args=[edition.pk, phase.pk])),
        ("get", reverse("programmes:commune_add", args=[edition.pk])),
        ("get", reverse("programmes:edition_commune", args=[edition_commune.pk])),
        ("get", reverse("programmes:challenge_edit", args=[edition_commune.pk])),
        ("get", reverse("programmes:challenge_history", args=[edition_commune.pk])),
        ("get", reverse("programmes:sector_edit", args=[edition_commune.pk])),
        ("get", reverse("accounts:backoffice_organisations")),
        ("get", reverse("accounts:backoffice_organisation_create")),
    ]


def test_sceaux_agent_opens_sceaux_workspace(client, two_communes):
    sceaux, _ = two_communes
    client.force_login(commune_member(sceaux.commune))
    response = client.get(reverse("programmes:workspace", args=[sceaux.pk]))
    assert response.status_code == 200
    assert "Sceaux" in response.content.decode()


def test_sceaux_agent_gets_404_on_argenteuil_workspace(client, two_communes):
    sceaux, argenteuil = two_communes
    client.force_login(commune_member(sceaux.commune))
    response = client.get(reverse("programmes:workspace", args=[argenteuil.pk]))
    assert response.status_code == 404
    assert "Argenteuil" not in response.content.decode()


def test_sceaux_agent_gets_404_on_every_backoffice_url(client, two_communes):
    sceaux, argenteuil = two_communes
    client.force_login(commune_member(sceaux.commune))
    for method, url in backoffice_urls(sceaux) + backoffice_urls(argenteuil):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url


def test_experimenter_and_partner_get_404_on_the_backoffice(client, two_communes):
    sceaux, _ = two_communes
    for kind in (Organisation.Kind.EXPERIMENTER, Organisation.Kind.PARTNER):
        membership = MembershipFactory(organisation=OrganisationFactory(kind=kind))
        client.force_login(membership.user)
        for method, url in backoffice_urls(sceaux):
            assert getattr(client, method)(url).status_code == 404, (kind, url)


def test_anonymous_visitors_are_sent_to_login_from_the_backoffice(client, two_communes):
    sceaux, _ = two_communes
    for method, url in backoffice_urls(sceaux):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/compte/login/"), url


def test_staff_reach_every_backoffice_page(staff_client, two_communes):
    sceaux, _ = two_communes
    for method, url in backoffice_urls(sceaux):
        if method == "get":
            assert staff_client.get(url).status_code == 200, url


def test_commune_admin_adds_a_colleague_to_the_team(client, two_communes):
    sceaux, _ = two_communes
    admin = commune_member(sceaux.commune, role=Membership.Role.ADMIN)
    colleague = commune_member(sceaux.commune, role=Membership.Role.MEMBER)
    client.force_login(admin)
    response = client.post(
        reverse("programmes:team_add", args=[sceaux.pk]),
        {"user": colleague.pk, "role": "elected_referent"},
    )
    assert response.status_code == 302
    assert sceaux.team.filter(user=colleague, role="elected_referent").exists()


def test_commune_member_who_is_not_admin_cannot_change_the_team(client, two_communes):
    sceaux, _ = two_communes
    member = commune_member(sceaux.commune, role=Membership.Role.MEMBER)
    client.force_login(member)
    response = client.post(
        reverse("programmes:team_add", args=[sceaux.pk]), {"user": member.pk, "role": "expert"}
    )
    assert response.status_code == 404
    assert not sceaux.team.exists()


def test_team_cannot_include_someone_outside_the_commune(client, two_communes):
    sceaux, _ = two_communes
    admin = commune_member(sceaux.commune)
    outsider = UserFactory()
    client.force_login(admin)
    client.post(
        reverse("programmes:team_add", args=[sceaux.pk]), {"user": outsider.pk, "role": "expert"}
    )
    assert not sceaux.team.filter(user=outsider).exists()


def test_team_role_of_another_commune_cannot_be_removed_by_guessing_ids(client, two_communes):
    sceaux, argenteuil = two_communes
    role = CommuneRoleFactory(edition_commune=argenteuil)
    client.force_login(commune_member(sceaux.commune))
    response = client.post(reverse("programmes:team_remove", args=[sceaux.pk, role.pk]))
    assert response.status_code == 404
    response = client.post(reverse("programmes:team_remove", args=[argenteuil.pk, role.pk]))
    assert response.status_code == 404
    assert argenteuil.team.filter(pk=role.pk).exists()
