"""What each staff role may do: the Métropole reads and takes its decisions; members are
managed by their organisation's administrators (and the operator's, to onboard it)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Invitation, Membership, Organisation
from qmi.calls.models import Application, StaffNote
from qmi.core.models import AuditEntry
from qmi.mail.models import Notification
from qmi.messaging.models import Message
from qmi.programmes.models import EditionCommune, Stage
from tests.factories import (
    ApplicationFactory,
    CommuneFactory,
    DocumentFactory,
    EditionFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffNoteFactory,
    ThreadFactory,
    UserFactory,
    metropolis_user,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    application = ApplicationFactory(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    DocumentFactory(application=application)
    StaffNoteFactory(application=application, body="Note interne de l'opérateur")
    return application


def test_the_metropolis_reads_an_application_and_its_documents_without_the_private_notes(
    client, submitted
):
    client.force_login(metropolis_user())
    page = client.get(reverse("calls:backoffice_application", args=[submitted.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert submitted.reference in html
    assert "Note interne de l'opérateur" not in html
    assert reverse("calls:note_add", args=[submitted.pk]) not in html
    document = submitted.documents.get()
    preview = client.get(
        reverse("calls:backoffice_document_preview", args=[submitted.pk, document.pk])
    )
    assert preview.status_code == 200

    # The operator, for comparison, sees the notes and the tools.
    client.force_login(staff_user())
    html = client.get(reverse("calls:backoffice_application", args=[submitted.pk])).content
    assert "Note interne de l" in html.decode()


def test_the_metropolis_cannot_write_a_private_note(client, submitted):
    client.force_login(metropolis_user())
    response = client.post(reverse("calls:note_add", args=[submitted.pk]), {"body": "Essai"})
    assert response.status_code == 403
    assert StaffNote.objects.filter(application=submitted).count() == 1


def test_the_metropolis_reads_a_thread_but_does_not_answer_in_the_operator_s_name(
    client, submitted
):
    thread = ThreadFactory(application=submitted)
    client.force_login(metropolis_user())
    page = client.get(reverse("messaging:thread", args=[thread.pk]))
    assert page.status_code == 200
    assert "Répondre" not in page.content.decode()
    assert "équipe de l" in page.content.decode()

    response = client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "Bonjour"})
    assert response.status_code == 403
    assert not Message.objects.filter(thread=thread, body="Bonjour").exists()


def test_the_metropolis_cannot_edit_an_organisation_or_its_members(client):
    commune_org = OrganisationFactory(kind=Organisation.Kind.COMMUNE, name="Ville de Sceaux")
    admin = MembershipFactory(organisation=commune_org, role=Membership.Role.ADMIN)
    member = MembershipFactory(organisation=commune_org, role=Membership.Role.MEMBER)
    client.force_login(metropolis_user())
    assert client.get(reverse("accounts:organisation", args=[commune_org.pk])).status_code == 200
    edit = client.post(
        reverse("accounts:organisation_edit", args=[commune_org.pk]), {"name": "Piraté"}
    )
    invite = client.post(
        reverse("accounts:invite", args=[commune_org.pk]),
        {"email": "intrus@exemple.fr", "role": "admin"},
    )
    promote = client.post(
        reverse("accounts:member_update", args=[commune_org.pk, member.pk]), {"role": "admin"}
    )
    assert {edit.status_code, invite.status_code, promote.status_code} == {404}
    commune_org.refresh_from_db()
    member.refresh_from_db()
    assert commune_org.name == "Ville de Sceaux"
    assert member.role == Membership.Role.MEMBER
    assert not Invitation.objects.exists()
    assert admin.role == Membership.Role.ADMIN


def test_only_the_operator_s_administrators_onboard_another_organisation(client):
    organisation = OrganisationFactory(kind=Organisation.Kind.COMMUNE)
    plain = UserFactory()
    MembershipFactory(
        user=plain,
        organisation=OrganisationFactory(kind=Organisation.Kind.OPERATOR),
        role=Membership.Role.MEMBER,
    )
    data = {"email": "maire@exemple.fr", "role": "admin"}
    client.force_login(plain)
    assert client.post(reverse("accounts:invite", args=[organisation.pk]), data).status_code == 404
    assert not Invitation.objects.exists()

    client.force_login(staff_user())  # an administrator of the operator
    assert client.post(reverse("accounts:invite", args=[organisation.pk]), data).status_code == 302
    assert Invitation.objects.get().email == "maire@exemple.fr"


def test_the_metropolis_selects_the_communes_and_publishes_the_selection(client):
    edition = EditionFactory(stage=Stage.COMMUNE_SELECTION, is_public=True)
    commune = CommuneFactory(name="Sceaux")
    metropole = metropolis_user()
    client.force_login(metropole)

    response = client.post(
        reverse("programmes:commune_add", args=[edition.pk]),
        {"commune": commune.pk, "district": "Les Blagis"},
        follow=True,  # the confirmation names the commune: read it on the staff page
    )
    assert response.redirect_chain
    assert EditionCommune.objects.filter(edition=edition, commune=commune).exists()
    assert "Sceaux" not in client.get(edition.get_absolute_url()).content.decode()

    response = client.post(
        reverse("programmes:edition_move", args=[edition.pk]), {"target": Stage.FRAMING}
    )
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.stage == Stage.FRAMING
    assert "Sceaux" in client.get(edition.get_absolute_url()).content.decode()
    actions = set(AuditEntry.objects.filter(actor=metropole).values_list("action", flat=True))
    assert actions == {"created", "transition"}


def test_each_change_of_members_is_told_to_the_organisation_s_administrators(
    client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(kind=Organisation.Kind.COMMUNE, name="Ville de Sceaux")
    first = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    second = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER)
    client.force_login(first.user)

    def told(user):
        return list(Notification.objects.filter(recipient=user).values_list("body", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:invite", args=[organisation.pk]),
            {"email": "nouvel@exemple.fr", "role": "member"},
        )
    assert any("a invité nouvel@exemple.fr" in body for body in told(second.user))
    assert not told(first.user)  # the author is not told of their own change

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:member_update", args=[organisation.pk, member.pk]),
            {"role": "admin"},
        )
    assert any("« Membre » devient « Administrateur »" in body for body in told(second.user))
    assert any("devient « Administrateur »" in body for body in told(member.user))

    # An operator's administrator onboarding the organisation is told to its admins too.
    operator = staff_user()
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:member_remove", args=[organisation.pk, member.pk]))
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert any(operator.email in body and "a retiré" in body for body in told(first.user))
    assert any("a retiré" in body for body in told(member.user))
    assert AuditEntry.objects.filter(object_id=organisation.pk, action="member_removed").exists()
    assert {tuple(message.to) for message in mail.outbox} >= {
        (first.user.email,),
        (second.user.email,),
        (member.user.email,),
    }
