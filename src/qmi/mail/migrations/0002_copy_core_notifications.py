"""Notifications move from core to mail: every row is copied with its primary key."""

from django.core.management.color import no_style
from django.db import migrations

BATCH = 2000


def _copy(source, target, schema_editor):
    rows = source.objects.using(schema_editor.connection.alias).order_by("pk")
    fields = [field.attname for field in source._meta.concrete_fields]
    batch = []
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
    _copy(apps.get_model("core", "Notification"), apps.get_model("mail", "Notification"), schema_editor)


def backwards(apps, schema_editor):
    _copy(apps.get_model("mail", "Notification"), apps.get_model("core", "Notification"), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("mail", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
