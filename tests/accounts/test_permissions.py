import re
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.urls import reverse

from qmi.accounts.models import Invitation, Membership, Organisation
from tests.factories import (
    PASSWORD,
    CommuneFactory,
    EditionCommuneFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    commune_member,
    staff_user,
)
from tests.utils import login_with_second_factor

pytestmark = pytest.mark.django_db

BACKOFFICE_LIST = reverse("accounts:backoffice_organisations")


@pytest.fixture
def two_organisations():
    """The person is admin of A; B has a member and a pending invitation they could guess."""
    admin_a = MembershipFactory(role=Membership.Role.ADMIN)
    member_b = MembershipFactory(role=Membership.Role.ADMIN)
    invitation_b = InvitationFactory(organisation=member_b.organisation)
    return admin_a, member_b, invitation_b


def test_member_of_a_gets_404_on_every_page_of_b(client, two_organisations):
    admin_a, member_b, invitation_b = two_organisations
    b = member_b.organisation
    client.force_login(admin_a.user)
    assert client.get(reverse("accounts:organisation", kwargs={"pk": b.pk})).status_code == 404
    edit = reverse("accounts:organisation_edit", kwargs={"pk": b.pk})
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "x"}).status_code == 404
    invite = reverse("accounts:invite", kwargs={"pk": b.pk})
    assert client.post(invite, {"email": "a@exemple.fr", "role": "admin"}).status_code == 404
    for org_pk in (b.pk, admin_a.organisation_id):
        revoke = reverse(
            "accounts:invitation_revoke", kwargs={"pk": org_pk, "invitation_pk": invitation_b.pk}
        )
        assert client.post(revoke).status_code == 404
        update = reverse(
            "accounts:member_update", kwargs={"pk": org_pk, "membership_pk": member_b.pk}
        )
        assert client.post(update, {"role": "member"}).status_code == 404
        remove = reverse(
            "accounts:member_remove", kwargs={"pk": org_pk, "membership_pk": member_b.pk}
        )
        assert client.post(remove).status_code == 404
    # Nothing of B changed.
    invitation_b.refresh_from_db()
    member_b.refresh_from_db()
    assert invitation_b.status == Invitation.Status.PENDING
    assert member_b.role == Membership.Role.ADMIN
    assert Invitation.objects.filter(organisation=b).count() == 1


def test_organisation_page_is_404_for_an_unknown_id(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:organisation", kwargs={"pk": 999999})).status_code == 404


def test_plain_member_sees_the_page_but_no_management(client):
    member = MembershipFactory(role=Membership.Role.MEMBER)
    InvitationFactory(organisation=member.organisation, email="secret@exemple.fr")
    client.force_login(member.user)
    response = client.get(reverse("accounts:organisation", kwargs={"pk": member.organisation_id}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "secret@exemple.fr" not in html
    assert reverse("accounts:invite", kwargs={"pk": member.organisation_id}) not in html
    assert "Journal des modifications" not in html


@pytest.mark.parametrize(
    "url",
    [
        reverse("portal:home"),
        reverse("accounts:profile"),
        reverse("accounts:organisation", kwargs={"pk": 1}),
        reverse("accounts:organisation_create"),
        BACKOFFICE_LIST,
    ],
)
def test_anonymous_is_redirected_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_backoffice_organisations_is_404_for_a_commune_member(client):
    commune = CommuneFactory()
    EditionCommuneFactory(commune=commune)
    client.force_login(commune_member(commune))
    assert client.get(BACKOFFICE_LIST).status_code == 404
    assert client.get(reverse("accounts:backoffice_organisation_create")).status_code == 404


def test_backoffice_organisations_is_404_for_an_experimenter(client):
    client.force_login(MembershipFactory(role=Membership.Role.ADMIN).user)
    assert client.get(BACKOFFICE_LIST).status_code == 404


def test_backoffice_organisations_lists_filters_and_counts_for_staff(staff_client):
    partner = OrganisationFactory(name="Fondation Verte", kind=Organisation.Kind.PARTNER)
    MembershipFactory.create_batch(3, organisation=partner)
    OrganisationFactory(name="Startup Grise")
    response = staff_client.get(BACKOFFICE_LIST, {"type": "partner"})
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [o.name for o in rows] == ["Fondation Verte"]
    assert rows[0].member_count == 3
    response = staff_client.get(BACKOFFICE_LIST, {"q": "grise"})
    assert [o.name for o in response.context["page"].object_list] == ["Startup Grise"]


def activate_totp(user):
    TOTP.activate(user, generate_totp_secret())


def test_staff_without_totp_is_sent_to_mfa_activation_when_required(client, settings):
    settings.QMI_STAFF_MFA_REQUIRED = True
    client.force_login(staff_user())
    response = client.get(BACKOFFICE_LIST)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_totp_reaches_the_back_office_when_required(client, settings):
    settings.QMI_STAFF_MFA_REQUIRED = True
    user = staff_user()
    activate_totp(user)
    client.force_login(user)
    # A session opened with the password only asks for a TOTP code first.
    assert client.get(BACKOFFICE_LIST)["Location"].startswith(reverse("mfa_reauthenticate"))
    login_with_second_factor(client, user)
    assert client.get(BACKOFFICE_LIST).status_code == 200


def test_demo_staff_is_exempt_only_when_the_demo_exemption_is_on(client, settings):
    settings.QMI_STAFF_MFA_REQUIRED = True
    user = staff_user(is_demo=True)
    client.force_login(user)
    settings.QMI_DEMO_MFA_EXEMPT = False
    assert client.get(BACKOFFICE_LIST).status_code == 302
    settings.QMI_DEMO_MFA_EXEMPT = True
    assert client.get(BACKOFFICE_LIST).status_code == 200


def test_real_staff_is_not_exempt_by_the_demo_exemption(client, settings):
    settings.QMI_STAFF_MFA_REQUIRED = True
    settings.QMI_DEMO_MFA_EXEMPT = True
    client.force_login(staff_user(is_demo=False))
    assert client.get(BACKOFFICE_LIST).status_code == 302


@pytest.mark.django_db(transaction=True)  # allauth records the activation on commit
def test_staff_activates_totp_from_the_qr_page_and_then_reaches_the_back_office(client, settings):
    settings.QMI_STAFF_MFA_REQUIRED = True
    user = staff_user()
    client.force_login(user)
    # allauth asks for the password again before a change of second factor.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    # The QR code is a data: image, which the content security policy allows.
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+"', html)
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', html)
    if secret is None:
        secret = re.search(r'value="([A-Z2-7]+)"[^>]*id="authenticator_secret"', html)
    code = f"{hotp_value(secret.group(1), int(time.time()) // 30):06d}"
    # The activation counts as this session's second factor (allauth says so on commit).
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert client.get(BACKOFFICE_LIST).status_code == 200
