"""A SIREN already used by another organisation: saved, but the person and staff are warned."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from qmi.accounts.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.utils import experimenter_data

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("accounts:organisation_create")
BACKOFFICE_CREATE_URL = reverse("accounts:backoffice_organisation_create")
LIST_URL = reverse("accounts:backoffice_organisations")
COMMUNE_SIREN = "217500016"
COMMUNE_SIRET = "21750001600001"  # an establishment of that commune


def _warnings(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


@pytest.fixture
def commune_organisation():
    return OrganisationFactory(name="Ville de Secrète", kind="commune", siret=COMMUNE_SIREN)


def test_a_startup_registering_a_commune_s_siren_is_warned_without_the_commune_s_name(
    client, commune_organisation
):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(siret=COMMUNE_SIRET))
    assert response.status_code == 302  # not blocked
    assert Organisation.objects.filter(siret=COMMUNE_SIRET).exists()
    (warning,) = _warnings(response)
    assert "déjà déclaré par une autre organisation (Commune)" in warning
    assert "Secrète" not in warning


def test_the_same_siret_twice_is_warned_and_the_edit_form_says_so(client):
    OrganisationFactory(name="Premier", siret="73282932000074")
    user = UserFactory()
    client.force_login(user)
    response = client.post(CREATE_URL, experimenter_data(siret="732 829 320 00074"))
    assert response.status_code == 302
    assert "déjà déclaré" in _warnings(response)[0]
    mine = Organisation.objects.get(name="Toits Frais")
    page = client.get(reverse("accounts:organisation_edit", kwargs={"pk": mine.pk}))
    html = page.content.decode()
    assert "Ce SIREN est aussi déclaré par une autre organisation (Expérimentateur)" in html
    assert "Premier" not in html


def test_no_warning_for_a_siren_nobody_else_has(client):
    OrganisationFactory(name="Autre", siret="552100554")
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(siret="73282932000074"))
    assert response.status_code == 302
    assert _warnings(response) == []


def test_foreign_identifiers_are_not_compared_as_sirens(client):
    OrganisationFactory(name="Belge", country="BE", siret="7328293200")
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(siret="73282932000074"))
    assert _warnings(response) == []


def test_staff_are_told_which_organisations_share_the_siren(staff_client, commune_organisation):
    response = staff_client.post(
        BACKOFFICE_CREATE_URL, experimenter_data(name="Startup Doublon", siret=COMMUNE_SIRET)
    )
    assert response.status_code == 302
    (warning,) = _warnings(response)
    assert "Ville de Secrète (Commune)" in warning


def test_the_back_office_list_and_page_flag_a_shared_siren(staff_client, commune_organisation):
    twin = OrganisationFactory(name="Startup Doublon", siret=COMMUNE_SIRET)
    OrganisationFactory(name="Seule", siret="73282932000074")
    OrganisationFactory(name="Sans numéro", siret="")
    html = staff_client.get(LIST_URL).content.decode()
    rows = {row.split("</th>")[0]: row for row in html.split("<tr>")[2:]}
    flagged = {name for name, row in rows.items() if "SIREN partagé" in row}
    assert {n for n in flagged if "Doublon" in n or "Secrète" in n} == flagged
    assert len(flagged) == 2
    detail = staff_client.get(reverse("accounts:organisation", kwargs={"pk": twin.pk}))
    page = detail.content.decode()
    assert "Même SIREN que" in page
    assert "Ville de Secrète" in page
    assert reverse("accounts:organisation", kwargs={"pk": commune_organisation.pk}) in page


def test_members_do_not_see_the_other_organisation_on_their_page(client, commune_organisation):
    twin = OrganisationFactory(name="Startup Doublon", siret=COMMUNE_SIRET)
    user = UserFactory()
    MembershipFactory(user=user, organisation=twin)
    client.force_login(user)
    page = client.get(reverse("accounts:organisation", kwargs={"pk": twin.pk})).content.decode()
    assert "Même SIREN que" not in page
    assert "Secrète" not in page
