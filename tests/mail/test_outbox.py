"""Every e-mail goes through the outbox: queued after commit, held for checking, cancelled."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from qmi.core.models import AuditEntry
from qmi.mail import services
from qmi.mail.models import OutgoingEmail
from tests.factories import ApplicationFactory, InvitationFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db
Status = OutgoingEmail.Status

CALENDAR = {"filename": "invitation.ics", "mimetype": "text/calendar", "content": "BEGIN:VCALENDAR"}


def test_send_to_address_leaves_after_commit_with_its_attachment(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = services.send_to_address(
            to="inscrite@exemple.fr",
            template="accounts/email/invitation",
            context={"invitation": InvitationFactory(), "organisation": "Rue Fraîche"},
            attachments=[CALENDAR],
        )
    assert mail.outbox == []
    assert email.status == Status.QUEUED
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == Status.SENT and email.sent_at is not None and email.attempts == 1
    [message] = mail.outbox
    assert message.to == ["inscrite@exemple.fr"]
    assert message.subject == f"[QMI] {email.subject}"
    assert message.attachments[0][:2] == ("invitation.ics", "BEGIN:VCALENDAR")


def test_plain_text_is_not_html_escaped(django_capture_on_commit_callbacks):
    """Apostrophes and angle brackets in a subject must reach the reader as typed."""
    person = UserFactory()
    application = ApplicationFactory(call__title="L'appel <Nord>")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[person],
            template="calls/email/submitted",
            context={"application": application, "submission": None},
        )
    [message] = mail.outbox
    assert "L'appel <Nord>" in message.subject
    assert "&#x27;" not in message.subject and "&lt;" not in message.subject


def test_held_email_waits_for_staff_then_leaves(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = services.notify(
            recipients=[person],
            template="accounts/email/member_joined",
            context={"member": person, "organisation": "Rue Fraîche"},
            hold=True,
        )
    email = notification.email
    assert email.status == Status.HELD and mail.outbox == []
    staff = staff_user()
    with django_capture_on_commit_callbacks(execute=True):
        services.release(emails=[email], by=staff)
    email.refresh_from_db()
    notification.refresh_from_db()
    assert email.status == Status.SENT and len(mail.outbox) == 1
    assert notification.emailed_at == email.sent_at
    assert AuditEntry.objects.filter(object_id=str(email.pk), actor=staff).exists()


def test_only_staff_release_and_only_unsent_mail(django_capture_on_commit_callbacks):
    email = services.send_to_address(
        to="a@exemple.fr",
        template="accounts/email/invitation",
        context={"invitation": InvitationFactory(), "organisation": "x"},
        hold=True,
    )
    with pytest.raises(PermissionDenied):
        services.release(emails=[email], by=UserFactory())
    OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.SENT)
    with pytest.raises(ValidationError):
        services.release(emails=[email], by=staff_user())


def test_a_failed_send_is_recorded_and_can_be_sent_again(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        email = services.send_to_address(
            to="a@exemple.fr",
            template="accounts/email/invitation",
            context={"invitation": InvitationFactory(), "organisation": "x"},
        )
    email.refresh_from_db()
    assert email.status == Status.FAILED and email.last_error and email.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.release(emails=[email], by=staff_user())
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 2 and len(mail.outbox) == 1


def test_cancel_unsent_stops_only_the_mail_about_that_object(
    django_capture_on_commit_callbacks,
):
    first, second = InvitationFactory(), InvitationFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for invitation in (first, second):
            services.send_to_address(
                to=invitation.email,
                template="accounts/email/invitation",
                context={"invitation": invitation, "organisation": "x"},
                about=invitation,
            )
        assert services.cancel_unsent(about=first) == 1
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[second.email]]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {
        Status.CANCELLED,
        Status.SENT,
    }


def test_send_outbox_sends_what_lost_its_task_and_flags_interrupted_sends(
    django_capture_on_commit_callbacks,
):
    # Written while no worker ran and its task was lost: still queued.
    with django_capture_on_commit_callbacks(execute=False):
        waiting = services.send_to_address(
            to="a@exemple.fr",
            template="accounts/email/invitation",
            context={"invitation": InvitationFactory(), "organisation": "x"},
        )
        interrupted = services.send_to_address(
            to="b@exemple.fr",
            template="accounts/email/invitation",
            context={"invitation": InvitationFactory(), "organisation": "x"},
        )
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    OutgoingEmail.objects.filter(pk=interrupted.pk).update(
        status=Status.SENDING, updated_at=long_ago
    )
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert "1 e-mail remis en file, 1 envoi interrompu." in out.getvalue()
    waiting.refresh_from_db()
    interrupted.refresh_from_db()
    assert waiting.status == Status.SENT
    assert [message.to for message in mail.outbox] == [["a@exemple.fr"]]
    assert interrupted.status == Status.FAILED and interrupted.last_error
    # A second run sends nothing again.
    call_command("send_outbox", stdout=io.StringIO())
    assert len(mail.outbox) == 1
