import pytest
from django.urls import reverse

from qmi.accounts.models import Membership, Organisation
from qmi.core.models import AuditEntry
from tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.utils import experimenter_data, field_errors, input_described_by

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("accounts:organisation_create")
BACKOFFICE_CREATE_URL = reverse("accounts:backoffice_organisation_create")


def audit_entries(organisation, action):
    return AuditEntry.objects.filter(
        object_id=str(organisation.pk), content_type__model="organisation", action=action
    )


def test_organisation_create_makes_the_creator_its_admin(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(CREATE_URL, experimenter_data(siret="732 829 320 00074"))
    organisation = Organisation.objects.get(name="Toits Frais")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organisation", kwargs={"pk": organisation.pk})
    assert organisation.siret == "73282932000074"
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (user, Membership.Role.ADMIN)
    assert audit_entries(organisation, "created").count() == 1


def test_organisation_form_requires_legal_form_for_experimenters(client):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(legal_form=""))
    assert response.status_code == 400
    assert "Indiquez la forme juridique" in field_errors(response, "legal_form")
    assert "id_legal_form_error" in input_described_by(response, "legal_form")
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_organisation_form_refuses_legal_form_for_partners(client):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(kind="partner"))
    assert response.status_code == 400
    assert "ne s'indique que pour un expérimentateur" in field_errors(response, "legal_form")
    assert not Organisation.objects.exists()


def test_organisation_form_shows_invalid_siret_in_french_next_to_the_field(client):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(siret="73282932000075"))
    assert response.status_code == 400
    errors = field_errors(response, "siret")
    assert "Ce numéro n'est pas valide" in errors
    assert "id_siret_error" in input_described_by(response, "siret")
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    assert not AuditEntry.objects.exists()


def test_organisation_form_does_not_check_siret_of_foreign_organisations(client):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(country="BE", siret="0123456789"))
    assert response.status_code == 302
    assert Organisation.objects.get().siret == "0123456789"


def test_organisation_form_refuses_a_superscript_digit_in_the_siret_instead_of_crashing(client):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(siret="21920071²"))
    assert response.status_code == 400
    assert "chiffres de 0 à 9" in field_errors(response, "siret")
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("country", ["FR", "BE"])
def test_organisation_form_stores_full_width_and_arabic_indic_digits_in_ascii(client, country):
    client.force_login(UserFactory())
    response = client.post(
        CREATE_URL, experimenter_data(country=country, siret="７３２ ８２９ ３２０ ٠٠٠٧٤")
    )
    assert response.status_code == 302
    assert Organisation.objects.get().siret == "73282932000074"


def test_backoffice_search_by_siren_accepts_full_width_digits_without_crashing(staff_client):
    OrganisationFactory(name="Toits Frais", siret="73282932000074")
    response = staff_client.get(reverse("accounts:backoffice_organisations"), {"q": "７３２８２９"})
    assert response.status_code == 200
    assert "Toits Frais" in response.content.decode()
    response = staff_client.get(reverse("accounts:backoffice_organisations"), {"q": "7328²"})
    assert response.status_code == 200


def test_organisation_create_refuses_a_commune_kind_for_non_staff(client):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(kind="commune", legal_form=""))
    assert response.status_code == 400
    assert field_errors(response, "kind")
    assert not Organisation.objects.exists()


def test_backoffice_organisation_form_requires_commune_for_kind_commune(staff_client):
    count = Organisation.objects.count()
    response = staff_client.post(
        BACKOFFICE_CREATE_URL,
        experimenter_data(name="Ville de Test", kind="commune", legal_form=""),
    )
    assert response.status_code == 400
    assert "Choisissez la commune" in field_errors(response, "commune")
    assert Organisation.objects.count() == count


def test_backoffice_organisation_form_refuses_a_second_organisation_for_a_commune(staff_client):
    commune = CommuneFactory()
    OrganisationFactory(kind="commune", commune=commune)
    count = Organisation.objects.count()
    response = staff_client.post(
        BACKOFFICE_CREATE_URL,
        experimenter_data(name="Doublon", kind="commune", legal_form="", commune=commune.pk),
    )
    assert response.status_code == 400
    assert field_errors(response, "commune")
    assert Organisation.objects.count() == count


def test_backoffice_organisation_create_leaves_staff_outside_and_audits(staff_client, staff):
    commune = CommuneFactory()
    response = staff_client.post(
        BACKOFFICE_CREATE_URL,
        experimenter_data(
            name="Ville de Test",
            kind="commune",
            legal_form="",
            commune=commune.pk,
            siret="217500016",
        ),
    )
    organisation = Organisation.objects.get(name="Ville de Test")
    assert response.status_code == 302
    assert organisation.commune == commune
    assert not organisation.memberships.exists()
    entry = audit_entries(organisation, "created").get()
    assert entry.actor == staff
    assert entry.changes["name"] == [None, "Ville de Test"]


def test_backoffice_edit_records_before_and_after_values(staff_client, staff):
    organisation = OrganisationFactory(name="Ancien nom", siret="")
    response = staff_client.post(
        reverse("accounts:organisation_edit", kwargs={"pk": organisation.pk}),
        experimenter_data(name="Nouveau nom", siret="73282932000074", legal_form="sme"),
    )
    assert response.status_code == 302
    entry = audit_entries(organisation, "updated").get()
    assert entry.actor == staff
    assert entry.changes == {
        "name": ["Ancien nom", "Nouveau nom"],
        "legal_form": ["startup", "sme"],
        "siret": ["", "73282932000074"],
    }
    # The organisation page shows the trail to staff.
    page = staff_client.get(reverse("accounts:organisation", kwargs={"pk": organisation.pk}))
    assert "Journal des modifications" in page.content.decode()
    assert "Ancien nom" in page.content.decode()


def test_backoffice_edit_of_kind_and_commune_is_audited(staff_client):
    commune = CommuneFactory()
    organisation = OrganisationFactory(kind="partner", legal_form="")
    staff_client.post(
        reverse("accounts:organisation_edit", kwargs={"pk": organisation.pk}),
        experimenter_data(
            name=organisation.name, kind="commune", legal_form="", commune=commune.pk
        ),
    )
    entry = audit_entries(organisation, "updated").get()
    assert entry.changes["kind"] == ["partner", "commune"]
    assert entry.changes["commune"] == [None, commune.name]


def test_organisation_edit_with_invalid_siret_saves_nothing(client):
    membership = MembershipFactory(role=Membership.Role.ADMIN)
    organisation = membership.organisation
    client.force_login(membership.user)
    response = client.post(
        reverse("accounts:organisation_edit", kwargs={"pk": organisation.pk}),
        experimenter_data(name="Nom changé", siret="12345678901234"),
    )
    assert response.status_code == 400
    assert "Ce numéro n'est pas valide" in field_errors(response, "siret")
    organisation.refresh_from_db()
    assert organisation.name != "Nom changé"
    assert not audit_entries(organisation, "updated").exists()


def test_organisation_edit_by_admin_cannot_change_kind(client):
    membership = MembershipFactory(role=Membership.Role.ADMIN)
    organisation = membership.organisation
    client.force_login(membership.user)
    response = client.post(
        reverse("accounts:organisation_edit", kwargs={"pk": organisation.pk}),
        experimenter_data(name="Renommée", kind="operator"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.kind) == ("Renommée", "experimenter")


def test_organisation_edit_is_refused_to_a_plain_member(client):
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    client.force_login(membership.user)
    url = reverse("accounts:organisation_edit", kwargs={"pk": membership.organisation.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, experimenter_data(name="Piratée")).status_code == 404
    membership.organisation.refresh_from_db()
    assert membership.organisation.name != "Piratée"


def test_organisation_page_tags_demo_organisations_and_people(client):
    membership = MembershipFactory(
        organisation=OrganisationFactory(is_demo=True), user=UserFactory(is_demo=True)
    )
    client.force_login(membership.user)
    html = client.get(
        reverse("accounts:organisation", kwargs={"pk": membership.organisation.pk})
    ).content.decode()
    assert html.count('class="tag-demo"') == 2


def test_profile_update_is_audited_and_refuses_an_empty_name(client):
    user = UserFactory(full_name="Alix")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"full_name": "", "language": "fr"})
    assert response.status_code == 400
    assert field_errors(response, "full_name")
    user.refresh_from_db()
    assert user.full_name == "Alix"
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Alix Moreau", "language": "en"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Alix Moreau", "en")
    entry = AuditEntry.objects.get(object_id=str(user.pk), content_type__model="user")
    assert entry.changes == {"full_name": ["Alix", "Alix Moreau"], "language": ["fr", "en"]}


def test_creating_an_organisation_returns_to_the_page_that_asked_for_it(client, db):
    client.force_login(UserFactory())
    response = client.post(
        "/organisations/nouvelle/?next=/appels/un-appel/candidater/",
        {
            "name": "Nouvelle structure",
            "kind": "experimenter",
            "legal_form": "startup",
            "country": "FR",
            "next": "/appels/un-appel/candidater/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/appels/un-appel/candidater/"


def test_creating_an_organisation_ignores_a_next_to_another_site(client, db):
    client.force_login(UserFactory())
    response = client.post(
        "/organisations/nouvelle/",
        {
            "name": "Autre",
            "kind": "experimenter",
            "legal_form": "sme",
            "country": "FR",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"].startswith("/organisations/")


def test_website_without_scheme_is_prefixed_with_https(client):
    client.force_login(UserFactory())
    page = client.get(CREATE_URL).content.decode()
    # A text input: a browser would refuse "toits-frais.fr" in a type="url" field.
    assert 'name="website"' in page and 'type="url"' not in page
    response = client.post(CREATE_URL, experimenter_data(website="  toits-frais.fr/equipe "))
    assert response.status_code == 302
    assert Organisation.objects.get().website == "https://toits-frais.fr/equipe"


@pytest.mark.parametrize("website", ["pas un site", "https://", "javascript:alert(1)"])
def test_website_that_is_no_address_is_refused_in_french(client, website):
    client.force_login(UserFactory())
    response = client.post(CREATE_URL, experimenter_data(website=website))
    assert response.status_code == 400
    assert "Saisissez une adresse web valide" in field_errors(response, "website")
    assert not Organisation.objects.exists()
