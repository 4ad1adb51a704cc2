import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Invitation, Membership
from qmi.core.models import AuditEntry
from qmi.mail.models import Notification
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite_url(organisation):
    return reverse("accounts:invite", kwargs={"pk": organisation.pk})


def accept_url(invitation):
    return reverse("accounts:invitation", kwargs={"token": invitation.token})


@pytest.fixture
def admin_membership():
    return MembershipFactory(
        role=Membership.Role.ADMIN,
        user=UserFactory(full_name="Alix Admin"),
        organisation=OrganisationFactory(name="Toits & Co"),
    )


def test_invite_sends_an_email_with_the_link(
    client, admin_membership, django_capture_on_commit_callbacks
):
    organisation = admin_membership.organisation
    client.force_login(admin_membership.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(organisation), {"email": " Invitee@Exemple.fr ", "role": "member"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(organisation=organisation)
    assert invitation.email == "invitee@exemple.fr"
    assert invitation.invited_by == admin_membership.user
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["invitee@exemple.fr"]
    assert "Toits & Co" in message.subject
    assert f"http://testserver{accept_url(invitation)}" in message.body
    # Plain text: no HTML escaping of the organisation's name.
    assert "Toits & Co" in message.body
    assert "Alix Admin" in message.body
    assert AuditEntry.objects.filter(action="invited", object_id=str(organisation.pk)).exists()


def test_invite_refuses_an_invalid_address_next_to_the_field(client, admin_membership):
    client.force_login(admin_membership.user)
    response = client.post(
        invite_url(admin_membership.organisation), {"email": "pas-une-adresse", "role": "member"}
    )
    assert response.status_code == 400
    assert 'id="invite_email_error"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_refuses_someone_already_member(client, admin_membership):
    other = MembershipFactory(organisation=admin_membership.organisation)
    client.force_login(admin_membership.user)
    response = client.post(
        invite_url(admin_membership.organisation), {"email": other.user.email, "role": "member"}
    )
    assert response.status_code == 400
    assert "fait déjà partie de l&#x27;organisation" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_refuses_a_second_pending_invitation(client, admin_membership):
    InvitationFactory(organisation=admin_membership.organisation, email="deux@exemple.fr")
    client.force_login(admin_membership.user)
    response = client.post(
        invite_url(admin_membership.organisation), {"email": "deux@exemple.fr", "role": "admin"}
    )
    assert response.status_code == 400
    assert "Une invitation est déjà en attente" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_invite_is_404_for_a_plain_member(client):
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    client.force_login(membership.user)
    response = client.post(
        invite_url(membership.organisation), {"email": "x@exemple.fr", "role": "admin"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_invite_is_allowed_to_staff(staff_client):
    organisation = OrganisationFactory()
    response = staff_client.post(
        invite_url(organisation), {"email": "admin@exemple.fr", "role": "admin"}
    )
    assert response.status_code == 302
    assert Invitation.objects.get().role == Membership.Role.ADMIN


def test_invitation_page_for_anonymous_explains_and_links_to_login_and_signup(client):
    invitation = InvitationFactory(
        organisation=OrganisationFactory(name="Rue Fraîche"),
        invited_by=UserFactory(full_name="Alix Admin"),
        role=Membership.Role.ADMIN,
    )
    response = client.get(accept_url(invitation))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alix Admin" in html
    assert "Rue Fraîche" in html
    assert "Administrateur" in html
    assert f"{reverse('account_login')}?next={accept_url(invitation).replace('/', '%2F')}" in html
    assert f"{reverse('account_signup')}?next=" in html
    assert "email=" in html


def test_invitation_acceptance_creates_membership_audit_and_notifies_admins(
    client, admin_membership, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(
        organisation=admin_membership.organisation,
        email="nouvelle@exemple.fr",
        role=Membership.Role.MEMBER,
        invited_by=admin_membership.user,
    )
    invitee = UserFactory(email="nouvelle@exemple.fr", full_name="Nora Nouvelle")
    client.force_login(invitee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(accept_url(invitation))
    assert response.status_code == 302
    membership = Membership.objects.get(user=invitee)
    assert membership.organisation == admin_membership.organisation
    assert membership.role == Membership.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    entry = AuditEntry.objects.get(action="joined")
    assert entry.actor == invitee
    notification = Notification.objects.get(recipient=admin_membership.user)
    assert "Nora Nouvelle" in notification.subject
    assert [m.to for m in mail.outbox] == [[admin_membership.user.email]]
    assert "Toits & Co" in mail.outbox[0].body


def test_invitation_accepted_through_a_verified_secondary_address(client):
    invitation = InvitationFactory(email="pro@exemple.fr")
    invitee = UserFactory(email="perso@exemple.fr")
    EmailAddress.objects.create(user=invitee, email="pro@exemple.fr", verified=True)
    client.force_login(invitee)
    assert client.post(accept_url(invitation)).status_code == 302
    assert Membership.objects.filter(user=invitee).exists()


def test_invitation_refused_for_another_address(client):
    invitation = InvitationFactory(email="invitee@exemple.fr")
    intruder = UserFactory(email="intrus@exemple.fr")
    EmailAddress.objects.create(user=intruder, email="invitee@exemple.fr", verified=False)
    client.force_login(intruder)
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert "Cette invitation a été envoyée à invitee@exemple.fr" in response.content.decode()
    assert not Membership.objects.filter(user=intruder).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_refused_when_expired(client):
    invitation = InvitationFactory(
        email="invitee@exemple.fr", expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(UserFactory(email="invitee@exemple.fr"))
    page = client.get(accept_url(invitation))
    assert "elle ne peut plus être acceptée" in page.content.decode()
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert "Cette invitation a expiré" in response.content.decode()
    assert not Membership.objects.filter(organisation=invitation.organisation).exists()


def test_invitation_refused_when_revoked(client, admin_membership):
    invitation = InvitationFactory(
        organisation=admin_membership.organisation, email="invitee@exemple.fr"
    )
    client.force_login(admin_membership.user)
    response = client.post(
        reverse(
            "accounts:invitation_revoke",
            kwargs={"pk": admin_membership.organisation.pk, "invitation_pk": invitation.pk},
        )
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEntry.objects.filter(action="invitation_revoked").exists()

    client.force_login(UserFactory(email="invitee@exemple.fr"))
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert "Cette invitation a été révoquée." in response.content.decode()
    assert not Membership.objects.filter(user__email="invitee@exemple.fr").exists()


def test_invitation_cannot_be_used_twice(client, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(email="invitee@exemple.fr")
    invitee = UserFactory(email="invitee@exemple.fr")
    client.force_login(invitee)
    assert client.post(accept_url(invitation)).status_code == 302
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert "Cette invitation a déjà été utilisée." in response.content.decode()
    assert Membership.objects.filter(user=invitee).count() == 1
    assert AuditEntry.objects.filter(action="joined").count() == 1


def test_invitation_post_by_anonymous_goes_to_login(client):
    invitation = InvitationFactory()
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.exists()


def test_invitation_with_an_unknown_token_is_404(client):
    assert (
        client.get(reverse("accounts:invitation", kwargs={"token": "inconnu"})).status_code == 404
    )


def test_pending_invitation_shows_on_mon_espace(client):
    invitation = InvitationFactory(email="invitee@exemple.fr")
    user = UserFactory(email="invitee@exemple.fr")
    MembershipFactory(user=user)
    client.force_login(user)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert accept_url(invitation) in response.content.decode()


# The e-mail leaves from the outbox once the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_invited_newcomer_signs_up_verifies_and_comes_back_to_accept(client):
    invitation = InvitationFactory(email="nouvelle@exemple.fr")
    page = client.get(accept_url(invitation)).content.decode()
    signup_url = re.search(r'href="(/compte/signup/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(signup_url)
    assert 'value="nouvelle@exemple.fr"' in form.content.decode()
    password = "un-mot-de-passe-solide-2026"
    response = client.post(
        signup_url,
        {
            "full_name": "Nora Nouvelle",
            "email": "nouvelle@exemple.fr",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 302
    link = re.search(r"http://testserver(/compte/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    response = client.post(link)
    # Verified and logged in, the newcomer is taken back to the invitation.
    assert response["Location"] == accept_url(invitation)
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert Membership.objects.filter(
        user__email="nouvelle@exemple.fr", organisation=invitation.organisation
    ).exists()
