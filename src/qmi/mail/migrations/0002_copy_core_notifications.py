"""Notifications move from core to mail: every row is copied with its primary key and dates."""

import contextlib

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations

BATCH = 2000


@contextlib.contextmanager
def dates_as_given(*models):
    """Write created_at/updated_at as copied: auto_now(_add) would stamp the present."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _copy(source, target, schema_editor):
    rows = source.objects.using(schema_editor.connection.alias).order_by("pk")
    fields = [field.attname for field in source._meta.concrete_fields]
    batch = []
    with dates_as_given(target):
        for row in rows.values(*fields).iterator(chunk_size=BATCH):
            batch.append(target(**row))
            if len(batch) == BATCH:
                target.objects.bulk_create(batch)
                batch = []
        target.objects.bulk_create(batch)
    # Rows came with their own ids: PostgreSQL's sequence must move past them.
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [target]):
            cursor.execute(sql)


def forwards(apps, schema_editor):
    Notification = apps.get_model("mail", "Notification")
    _copy(apps.get_model("core", "Notification"), Notification, schema_editor)
    queue_unsent(Notification, apps.get_model("mail", "OutgoingEmail"))


def queue_unsent(Notification, OutgoingEmail):
    """Notifications whose e-mail had not left go into the outbox (`manage.py send_outbox`)."""
    unsent = Notification.objects.filter(emailed_at__isnull=True).select_related("recipient")
    for notification in unsent.iterator(chunk_size=BATCH):
        link = f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else ""
        body = notification.body
        OutgoingEmail.objects.create(
            to=notification.recipient.email,
            recipient_id=notification.recipient_id,
            notification_id=notification.pk,
            template="notification",
            language=notification.recipient.language or settings.LANGUAGE_CODE,
            subject=notification.subject,
            body=f"{body}\n\n{link}" if link and link not in body else body,
            status="queued",
        )


def backwards(apps, schema_editor):
    _copy(apps.get_model("mail", "Notification"), apps.get_model("core", "Notification"), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("mail", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
