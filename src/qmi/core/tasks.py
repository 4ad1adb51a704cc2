from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from .models import Notification
from .notify import absolute_url


@task()
def send_notification_email(notification_id):
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return
    body = notification.body
    link = absolute_url(notification.url)
    if link and link not in body:
        body = f"{body}\n\n{link}"
    EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.subject}",
        body=body,
        to=[notification.recipient.email],
    ).send()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
