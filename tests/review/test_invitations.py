"""Experts invited to a call's jury by e-mail: the invitation, its link, and who may use it."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qmi.core.models import AuditEntry
from qmi.mail.models import Notification, OutgoingEmail
from qmi.review.models import Juror, JurorInvitation
from qmi.review.services import invitations
from tests.factories import (
    CallFactory,
    JurorFactory,
    ThemeFactory,
    UserFactory,
    metropolis_user,
    staff_user,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return CallFactory(title="Appel à expérimenter Îlots de fraîcheur")


def invite_url(call):
    return reverse("review:expert_invite", args=[call.pk])


def accept_url(invitation):
    return reverse("review:invitation", kwargs={"token": invitation.token})


def revoke_url(invitation):
    return reverse("review:expert_invitation_revoke", args=[invitation.call_id, invitation.pk])


def invitation_for(call, email="experte@ademe.example", *, by=None, **fields):
    """A pending invitation, as staff would have sent it (without the e-mail)."""
    return JurorInvitation.objects.create(
        call=call,
        email=email,
        full_name=fields.pop("full_name", "Eva Experte"),
        invited_by=by,
        expires_at=fields.pop("expires_at", timezone.now() + datetime.timedelta(days=14)),
        **fields,
    )


def posted(**values):
    data = {"email": "experte@ademe.example", "full_name": "Eva Experte", "capacity": "6"}
    data.update(values)
    return {f"expert-{key}": value for key, value in data.items()}


# Staff invite ------------------------------------------------------------------------


def test_staff_invite_an_expert_and_the_email_carries_the_link(
    staff_client, staff, call, django_capture_on_commit_callbacks
):
    staff.full_name = "Sacha Opérateur"
    staff.save()
    theme = ThemeFactory(name="Climat & eau")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            invite_url(call), posted(email=" Experte@ADEME.example ", themes=[theme.pk])
        )
    assert response.status_code == 302
    invitation = JurorInvitation.objects.get(call=call)
    assert invitation.email == "experte@ademe.example"
    assert (invitation.full_name, invitation.capacity) == ("Eva Experte", 6)
    assert list(invitation.themes.all()) == [theme]
    assert invitation.invited_by == staff
    assert not Juror.objects.filter(call=call).exists()  # not before they accept
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["experte@ademe.example"]
    assert call.title in message.subject
    assert f"http://testserver{accept_url(invitation)}" in message.body
    assert "Sacha Opérateur" in message.body
    expiry = timezone.localtime(invitation.expires_at)
    assert f"{expiry.day} " in message.body and str(expiry.year) in message.body
    assert AuditEntry.objects.filter(action="juror_invited", object_id=str(call.pk)).exists()
    overview = staff_client.get(reverse("review:overview", args=[call.pk])).content.decode()
    assert "experte@ademe.example" in overview and revoke_url(invitation) in overview


def test_a_refused_invitation_keeps_what_was_typed(staff_client, call):
    response = staff_client.post(invite_url(call), posted(email="pas-une-adresse"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_expert-email_error"' in page
    assert 'value="Eva Experte"' in page  # kept as typed
    assert not JurorInvitation.objects.exists()
    too_many = staff_client.post(invite_url(call), posted(capacity="0"))
    assert too_many.status_code == 422
    assert 'id="id_expert-capacity_error"' in too_many.content.decode()
    assert not JurorInvitation.objects.exists()


def test_a_second_pending_invitation_for_the_address_is_refused(staff_client, call):
    invitation_for(call, "experte@ademe.example")
    response = staff_client.post(invite_url(call), posted(email="EXPERTE@ademe.example"))
    assert response.status_code == 422
    assert "déjà en attente pour cette adresse" in response.content.decode()
    assert JurorInvitation.objects.count() == 1
    # Another call's jury, or a lapsed invitation, does not stand in the way.
    other = CallFactory()
    assert staff_client.post(invite_url(other), posted()).status_code == 302
    JurorInvitation.objects.filter(call=call).update(revoked_at=timezone.now())
    assert staff_client.post(invite_url(call), posted()).status_code == 302


def test_someone_already_on_the_jury_is_not_invited(staff_client, call):
    juror = JurorFactory(call=call, user=UserFactory(email="perso@exemple.fr"))
    EmailAddress.objects.create(user=juror.user, email="pro@exemple.fr", verified=True)
    for address in ("Perso@exemple.fr", "pro@exemple.fr"):
        response = staff_client.post(invite_url(call), posted(email=address))
        assert response.status_code == 422
        assert "fait déjà partie du jury de cet appel" in response.content.decode()
    juror.withdrawn_at = timezone.now()
    juror.save()
    assert staff_client.post(invite_url(call), posted(email="perso@exemple.fr")).status_code == 302


def test_the_service_refuses_in_french_and_checks_the_permission(call, staff):
    with pytest.raises(ValidationError) as error:
        invitations.invite_expert(
            call=call, email="x@exemple.fr", full_name="X", capacity=0, themes=[], by=staff
        )
    assert error.value.message_dict == {"capacity": ["Un juré lit entre 1 et 500 dossiers."]}
    with pytest.raises(ValidationError) as error:
        invitations.invite_expert(
            call=call, email="x@exemple.fr", full_name="  ", capacity=3, themes=[], by=staff
        )
    assert "full_name" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        invitations.invite_expert(
            call=call,
            email="x@exemple.fr",
            full_name="X",
            capacity=3,
            themes=[],
            by=metropolis_user(),
        )
    assert not JurorInvitation.objects.exists()


def test_nobody_but_operator_staff_invites_or_revokes(client, call):
    invitation = invitation_for(call)
    for person in (UserFactory(), JurorFactory(call=call).user):
        client.force_login(person)
        assert client.post(invite_url(call), posted(email="autre@exemple.fr")).status_code == 404
        assert client.post(revoke_url(invitation)).status_code == 404
    client.force_login(metropolis_user())  # reads the back office, does not act
    assert client.post(invite_url(call), posted(email="autre@exemple.fr")).status_code == 403
    assert client.post(revoke_url(invitation)).status_code == 403
    assert JurorInvitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_revoking_cancels_the_unsent_email_and_the_link(staff_client, call):
    # Sent but not yet left: the worker runs only once the request's transaction commits.
    assert staff_client.post(invite_url(call), posted()).status_code == 302
    invitation = JurorInvitation.objects.get()
    email = OutgoingEmail.objects.get(to="experte@ademe.example")
    assert email.status == OutgoingEmail.Status.QUEUED
    response = staff_client.post(revoke_url(invitation), follow=True)
    assert "est révoquée" in response.content.decode()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.CANCELLED
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEntry.objects.filter(action="juror_invitation_revoked").exists()
    again = staff_client.post(revoke_url(invitation), follow=True).content.decode()
    assert "Seule une invitation en attente peut être révoquée." in again
    client_page = staff_client.get(accept_url(invitation)).content.decode()
    assert "elle ne peut plus être acceptée" in client_page


def test_the_overview_query_count_does_not_grow_with_the_invitations(staff_client, call):
    themes = [ThemeFactory(), ThemeFactory()]
    staff = staff_user()

    def grow():
        for number in range(60):
            invitation = invitation_for(call, f"expert{number}@exemple.fr", by=staff)
            invitation.themes.set(themes)

    invitation_for(call, "premier@exemple.fr", by=staff).themes.set(themes)
    large = assert_constant_queries(
        staff_client, reverse("review:overview", args=[call.pk]), grow=grow
    )
    page = large.content.decode()
    assert len(re.findall(r"jures/invitations/\d+/revoquer/", page)) == 50
    assert "50 invitations en attente affichées sur 61" in page


# The invitee accepts -----------------------------------------------------------------


def test_anonymous_visitor_sees_the_invitation_and_is_sent_to_log_in(client, call):
    invitation = invitation_for(call, by=UserFactory(full_name="Sacha Opérateur"))
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    html = page.content.decode()
    assert call.title in html and "Sacha Opérateur" in html
    assert f"{reverse('account_login')}?next={accept_url(invitation).replace('/', '%2F')}" in html
    signup = re.search(r'href="(/compte/signup/\?[^"]+)"', html).group(1)
    assert "email=experte%40ademe.example" in signup
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert not Juror.objects.exists()


def test_the_invited_address_accepts_and_becomes_an_expert_juror(
    client, call, staff, django_capture_on_commit_callbacks
):
    themes = [ThemeFactory(), ThemeFactory()]
    invitation = invitation_for(call, by=staff, capacity=4)
    invitation.themes.set(themes)
    expert = UserFactory(email="experte@ademe.example", full_name="Eva Experte")
    client.force_login(expert)
    assert "Accepter et rejoindre le jury" in client.get(accept_url(invitation)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("review:queue")
    juror = Juror.objects.get(call=call, user=expert)
    assert (juror.kind, juror.capacity) == (Juror.Kind.EXPERT, 4)
    assert set(juror.themes.all()) == set(themes)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.juror == juror
    assert AuditEntry.objects.filter(action="juror_invitation_accepted", actor=expert).exists()
    notification = Notification.objects.get(recipient=staff)
    assert "Eva Experte" in notification.subject
    assert [message.to for message in mail.outbox] == [[staff.email]]
    queue = client.get(reverse("review:queue"), follow=True)
    assert queue.status_code == 200
    assert "Vous faites partie du jury" in queue.content.decode()
    # The link served once; the juror finds their way to their files from it.
    again = client.get(accept_url(invitation)).content.decode()
    assert "Vous avez déjà accepté cette invitation." in again


def test_a_verified_secondary_address_may_accept(client, call):
    invitation = invitation_for(call, "pro@exemple.fr")
    expert = UserFactory(email="perso@exemple.fr")
    EmailAddress.objects.create(user=expert, email="pro@exemple.fr", verified=True)
    client.force_login(expert)
    assert client.post(accept_url(invitation)).status_code == 302
    assert Juror.objects.filter(call=call, user=expert, kind=Juror.Kind.EXPERT).exists()


def test_another_address_is_refused(client, call):
    invitation = invitation_for(call, "experte@ademe.example")
    intruder = UserFactory(email="intrus@exemple.fr")
    EmailAddress.objects.create(user=intruder, email="experte@ademe.example", verified=False)
    client.force_login(intruder)
    assert "mais vous êtes connecté" in client.get(accept_url(invitation)).content.decode()
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert "Cette invitation a été envoyée à experte@ademe.example" in response.content.decode()
    assert not Juror.objects.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "a expiré"),
        ({"revoked_at": timezone.now()}, "Cette invitation a été révoquée."),
        ({"accepted_at": timezone.now()}, "Cette invitation a déjà été utilisée."),
    ],
    ids=["expired", "revoked", "used"],
)
def test_a_lapsed_invitation_is_refused(client, call, change, refusal):
    invitation = invitation_for(call)
    JurorInvitation.objects.filter(pk=invitation.pk).update(**change)
    client.force_login(UserFactory(email="experte@ademe.example"))
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert refusal in response.content.decode()
    assert not Juror.objects.exists()


def test_an_invitation_serves_once(client, call):
    invitation = invitation_for(call)
    expert = UserFactory(email="experte@ademe.example")
    client.force_login(expert)
    assert client.post(accept_url(invitation)).status_code == 302
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert "Cette invitation a déjà été utilisée." in response.content.decode()
    assert Juror.objects.filter(user=expert).count() == 1
    assert AuditEntry.objects.filter(action="juror_invitation_accepted").count() == 1


def test_a_juror_who_had_left_comes_back_with_the_invitation(client, call):
    expert = UserFactory(email="experte@ademe.example")
    earlier = invitation_for(call, accepted_at=timezone.now())
    juror = JurorFactory(call=call, user=expert, kind=Juror.Kind.COMMUNE, capacity=2)
    earlier.juror = juror
    earlier.save()
    juror.withdrawn_at = timezone.now()
    juror.save()
    invitation = invitation_for(call, capacity=7)
    client.force_login(expert)
    assert client.post(accept_url(invitation)).status_code == 302
    juror.refresh_from_db()
    assert juror.withdrawn_at is None
    assert (juror.kind, juror.capacity) == (Juror.Kind.EXPERT, 7)
    assert Juror.objects.filter(call=call, user=expert).count() == 1
    invitation.refresh_from_db()
    assert invitation.juror == juror


def test_an_unknown_token_is_404(client):
    assert client.get(reverse("review:invitation", kwargs={"token": "inconnu"})).status_code == 404


def test_a_pending_jury_invitation_waits_on_the_invitees_home(client, call):
    invitation = invitation_for(call, "pro@exemple.fr")
    invitation_for(call, "autre@exemple.fr")
    expert = UserFactory(email="perso@exemple.fr")
    EmailAddress.objects.create(user=expert, email="pro@exemple.fr", verified=True)
    client.force_login(expert)
    page = client.get(reverse("portal:home")).content.decode()
    assert "1 invitation à un jury" in page
    assert accept_url(invitation) in page and call.title in page
    # Accepted, it leaves the home (the kept page follows the review's version).
    client.post(accept_url(invitation))
    assert "invitation à un jury" not in client.get(reverse("portal:home")).content.decode()
