"""A person's rights over their data: the export of everything held about them, and the
deletion of their account (refused to staff and to an organisation's last administrator)."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Membership, User
from qmi.calls.models import Application, Document, Submission
from qmi.core.models import AuditEntry
from qmi.events.models import Registration
from qmi.mail.models import Notification, OutgoingEmail
from qmi.messaging.models import Message
from qmi.review.models import Conflict, JurorInvitation, Publication, Review
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CommuneRoleFactory,
    DocumentFactory,
    EditionCommuneFactory,
    InvitationFactory,
    JurorFactory,
    MembershipFactory,
    MessageFactory,
    NotificationFactory,
    OrganisationFactory,
    RegistrationFactory,
    ReviewPhaseFactory,
    SubmissionFactory,
    ThreadFactory,
    UserFactory,
    metropolis_user,
    review_of,
    staff_user,
)
from tests.utils import count_queries

pytestmark = pytest.mark.django_db

EXPORT = reverse("portal:personal_data")
DELETE = reverse("portal:account_delete")


def _footprint(user, organisation, n=1):
    """`n` of each thing the platform may hold about `user`."""
    for _ in range(n):
        application = ApplicationFactory(
            organisation=organisation, created_by=user, answers={"projet": "Bancs connectés"}
        )
        DocumentFactory(application=application, uploaded_by=user)
        SubmissionFactory(submitted_by=user)
        MessageFactory(thread=ThreadFactory(application=application), author=user, body="Merci")
        NotificationFactory(recipient=user, subject="Dossier reçu")
        RegistrationFactory(user=user, email=user.email, name="Camille")
        InvitationFactory(organisation=organisation, invited_by=user)
        InvitationFactory(email=user.email)
        CommuneRoleFactory(user=user, edition_commune=EditionCommuneFactory())
        MembershipFactory(user=user)


@pytest.fixture
def person():
    user = UserFactory(email="camille@exemple.fr", full_name="Camille Dupont")
    organisation = OrganisationFactory(name="Startup des bancs")
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user, organisation


def test_the_export_holds_what_the_platform_keeps_about_me_and_is_audited(client, person):
    user, organisation = person
    _footprint(user, organisation)
    stranger = UserFactory()
    MessageFactory(author=stranger, body="Pas à moi")
    client.force_login(user)
    assert client.get(EXPORT).status_code == 200
    response = client.post(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="qmi-mes-donnees-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "camille@exemple.fr"
    assert data["account"]["full_name"] == "Camille Dupont"
    assert [a["email"] for a in data["email_addresses"]] == ["camille@exemple.fr"]
    assert "Startup des bancs" in [m["organisation"] for m in data["memberships"]]
    assert len(data["commune_roles"]) == 1
    assert len(data["invitations_sent"]) == 1
    assert [i["email"] for i in data["invitations_received"]] == ["camille@exemple.fr"]
    assert data["applications_started"][0]["answers"] == {"projet": "Bancs connectés"}
    assert len(data["submissions"]) == 1
    assert data["documents_uploaded"][0]["name"] == "lettre.pdf"
    assert [m["body"] for m in data["messages_written"]] == ["Merci"]
    assert data["notifications"][0]["subject"] == "Dossier reçu"
    assert data["event_registrations"][0]["name"] == "Camille"
    assert "Pas à moi" not in response.content.decode()
    entry = AuditEntry.objects.get(action="data_exported")
    assert entry.actor == user and entry.object_id == str(user.pk)
    assert {e["action"] for e in data["audit_trail"]} == set()  # exported before its own entry


def test_an_unverified_address_brings_nobody_else_s_data(client, person):
    """Anyone may add an address unverified: it proves nothing, so it matches nothing."""
    user, _ = person
    EmailAddress.objects.create(user=user, email="victime@exemple.fr", verified=False)
    RegistrationFactory(email="victime@exemple.fr", name="Victime")
    InvitationFactory(email="victime@exemple.fr")
    client.force_login(user)
    data = json.loads(client.post(EXPORT).content)
    assert "victime@exemple.fr" in [a["email"] for a in data["email_addresses"]]
    assert data["event_registrations"] == [] and data["invitations_received"] == []
    client.post(DELETE, {"password": PASSWORD})
    assert not User.objects.filter(pk=user.pk).exists()
    assert Registration.objects.filter(email="victime@exemple.fr").exists()


def test_the_registrations_made_with_my_proven_address_go_with_my_account(client, person):
    user, _ = person
    RegistrationFactory(email="camille@exemple.fr", name="Avant mon compte")
    client.force_login(user)
    client.post(DELETE, {"password": PASSWORD})
    assert not Registration.objects.filter(email="camille@exemple.fr").exists()


def test_the_export_costs_the_same_queries_whatever_its_size(client, person):
    user, organisation = person
    client.force_login(user)
    _footprint(user, organisation)
    small = count_queries(client, EXPORT, method="post")
    _footprint(user, organisation, n=4)
    large = count_queries(client, EXPORT, method="post")
    assert large.queries == small.queries
    assert len(json.loads(large.content)["messages_written"]) == 5


def test_the_export_needs_a_login(client):
    assert client.post(EXPORT).status_code == 302
    assert not AuditEntry.objects.filter(action="data_exported").exists()


def test_deleting_my_account_keeps_my_organisations_files_signed_deleted_account(client, person):
    user, organisation = person
    _footprint(user, organisation)
    submission = Submission.objects.get(submitted_by=user)
    client.force_login(user)
    assert client.get(DELETE).status_code == 200
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(email="camille@exemple.fr").exists()
    # What was done for the organisation stays, without its author.
    assert Application.objects.filter(organisation=organisation, created_by=None).count() == 1
    assert Document.objects.filter(uploaded_by=None).count() == 1
    assert Message.objects.get(body="Merci").author is None
    submission.refresh_from_db()
    assert submission.submitted_by is None
    # What was only about the person goes.
    assert not Notification.objects.filter(subject="Dossier reçu").exists()
    assert not Registration.objects.filter(email="camille@exemple.fr").exists()
    assert not Membership.objects.filter(organisation=organisation).exists()
    # The trail keeps who asked; the confirmation goes to the address.
    entry = AuditEntry.objects.get(action="account_deleted")
    assert entry.actor is None and entry.actor_label == "camille@exemple.fr"
    sent = OutgoingEmail.objects.get(template="portal/email/account_deleted")
    assert sent.to == "camille@exemple.fr"
    assert "supprimé" in sent.subject
    # Logged out.
    assert "_auth_user_id" not in client.session


def test_the_message_of_a_deleted_account_reads_deleted_account(client, person):
    user, organisation = person
    message = MessageFactory(
        thread=ThreadFactory(application=ApplicationFactory(organisation=organisation)),
        author=user,
        body="Voici le devis",
    )
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=organisation, role=Membership.Role.ADMIN)
    client.force_login(user)
    client.post(DELETE, {"password": PASSWORD})
    client.force_login(colleague)
    html = client.get(reverse("messaging:thread", args=[message.thread_id])).content.decode()
    assert "Voici le devis" in html
    assert "Compte supprimé" in html


def test_a_submission_by_a_deleted_account_reads_deleted_account(client, person):
    user, organisation = person
    application = ApplicationFactory(
        organisation=organisation, status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    SubmissionFactory(application=application, submitted_by=user, number=1)
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=organisation, role=Membership.Role.ADMIN)
    client.force_login(user)
    client.post(DELETE, {"password": PASSWORD})
    client.force_login(colleague)
    html = client.get(reverse("calls:application", args=[application.pk])).content.decode()
    assert "Compte supprimé" in html
    client.force_login(staff_user())
    html = client.get(reverse("calls:backoffice_application", args=[application.pk]))
    assert "par un compte supprimé" in html.content.decode()


@pytest.mark.parametrize("password", ["", "mauvais-mot-de-passe"])
def test_a_wrong_password_deletes_nothing(client, person, password):
    user, _ = person
    client.force_login(user)
    response = client.post(DELETE, {"password": password})
    assert response.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()
    assert not AuditEntry.objects.filter(action="account_deleted").exists()
    assert not OutgoingEmail.objects.filter(template="portal/email/account_deleted").exists()


def test_password_tries_are_limited(client, person):
    user, _ = person
    client.force_login(user)
    for _ in range(5):
        assert client.post(DELETE, {"password": "devine"}).status_code == 400
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 400
    assert "Trop d&#x27;essais" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("make", [staff_user, metropolis_user])
def test_staff_accounts_are_refused_with_what_to_do_first(client, make):
    user = make()
    client.force_login(user)
    page = client.get(DELETE).content.decode()
    assert "retirer de l&#x27;équipe" in page
    assert 'type="password"' not in page
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 400
    assert User.objects.filter(pk=user.pk).exists()


def test_a_superuser_is_refused(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 400
    assert User.objects.filter(pk=user.pk).exists()


def test_the_last_administrator_names_another_first(client, person):
    user, organisation = person
    Membership.objects.filter(user=user).update(role=Membership.Role.ADMIN)
    MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER)
    client.force_login(user)
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 400
    assert "dernier administrateur de « Startup des bancs »" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    # With a second administrator, the account may go.
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_the_profile_links_to_the_export_and_the_deletion(client, person):
    user, _ = person
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert EXPORT in html and DELETE in html
    assert html.count('id="data-title"') == 1


def test_a_jurors_seats_reviews_conflicts_and_invitations_are_in_the_export(client, person):
    user, _ = person
    juror = JurorFactory(user=user)
    review = review_of(
        ReviewPhaseFactory(call=juror.call), ApplicationFactory(call=juror.call), juror
    )
    review.comment = "Projet solide."
    review.save()
    Conflict.objects.create(
        juror=juror, application=ApplicationFactory(call=juror.call), reason="Ancien employeur"
    )
    JurorInvitation.objects.create(
        call=juror.call,
        email="camille@exemple.fr",
        full_name="Camille Dupont",
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    client.force_login(user)
    data = json.loads(client.post(EXPORT).content)
    assert [seat["call"] for seat in data["jury_seats"]] == [juror.call.title]
    assert [r["comment"] for r in data["reviews_written"]] == ["Projet solide."]
    assert [c["reason"] for c in data["conflicts_declared"]] == ["Ancien employeur"]
    assert [i["email"] for i in data["jury_invitations_received"]] == ["camille@exemple.fr"]


def test_a_juror_of_a_call_still_deciding_keeps_their_account_until_it_is_published(client, person):
    user, organisation = person
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    juror = JurorFactory(user=user)
    review_of(ReviewPhaseFactory(call=juror.call), ApplicationFactory(call=juror.call), juror)
    client.force_login(user)
    refused = client.post(DELETE, {"password": PASSWORD})
    assert "dont les décisions ne sont pas encore publiées" in refused.content.decode().replace(
        "&#x27;", "'"
    )
    assert User.objects.filter(pk=user.pk).exists() and Review.objects.exists()
    Publication.objects.create(call=juror.call)
    client.post(DELETE, {"password": PASSWORD})
    assert not User.objects.filter(pk=user.pk).exists()
