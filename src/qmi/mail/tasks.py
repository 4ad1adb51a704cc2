"""The task worker sends the outbox: one task per e-mail, after the transaction commits."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from .models import Notification, OutgoingEmail

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status
WIPED = "[message de sécurité : son contenu est effacé une fois envoyé]"


@task()
def send_email(email_id):
    # Claimed by one conditional update, not a row lock held while SMTP answers:
    # on SQLite a lock would block every request for as long.
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=Status.QUEUED).update(
        status=Status.SENDING, updated_at=timezone.now()
    )
    if not claimed:  # sent, held or cancelled since it was queued
        return
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{email.subject}",
        body=email.body,
        to=[email.to],
    )
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    email.attempts += 1
    try:
        message.send()
    except Exception as error:  # SMTP refusals and network errors alike
        logger.exception("E-mail %s to %s failed", email.pk, email.to)
        email.status = Status.FAILED
        email.last_error = str(error)[:2000]
        email.save(update_fields=["status", "attempts", "last_error", "updated_at"])
        return
    email.status = Status.SENT
    email.sent_at = timezone.now()
    if email.sensitive:
        # A reset link or log-in code must not outlive its delivery in the database.
        email.body = WIPED
    email.save(update_fields=["status", "sent_at", "attempts", "body", "updated_at"])
    if email.notification_id:
        Notification.objects.filter(pk=email.notification_id).update(emailed_at=email.sent_at)
