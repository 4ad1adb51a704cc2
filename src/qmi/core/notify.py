"""One way to tell a person something: recorded in the platform, then e-mailed after commit."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification


def absolute_url(path):
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def notify(*, recipients, template, context=None, url=""):
    """Record a notification for each recipient and e-mail it once the transaction commits.

    `template` names a pair `<template>.subject.txt` / `<template>.body.txt`,
    rendered in each recipient's own language.
    """
    from .tasks import send_notification_email

    created = []
    for recipient in recipients:
        language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            ctx = {"recipient": recipient, "url": absolute_url(url), **(context or {})}
            subject = render_to_string(f"{template}.subject.txt", ctx).strip()
            body = render_to_string(f"{template}.body.txt", ctx).strip()
        created.append(
            Notification.objects.create(
                recipient=recipient, subject=" ".join(subject.split())[:255], body=body, url=url
            )
        )
    for notification in created:
        transaction.on_commit(
            lambda pk=notification.pk: send_notification_email.enqueue(notification_id=pk)
        )
    return created


def mark_read(*, notification, by):
    from django.utils import timezone

    if notification.recipient_id != by.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, by):
    from django.utils import timezone

    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
