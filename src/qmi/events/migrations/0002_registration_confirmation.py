"""Double opt-in: a registration counts once its address is confirmed.

Registrations made before are taken as confirmed when they were made, and each
gets its own random token (the unique index is added by 0003, once every row has one).
"""

import secrets

from django.db import migrations, models


def confirm_existing(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    batch = []
    for registration in Registration.objects.only("pk", "created_at").iterator(chunk_size=500):
        registration.confirmed_at = registration.created_at
        registration.token = secrets.token_urlsafe(32)
        batch.append(registration)
        if len(batch) == 500:
            Registration.objects.bulk_update(batch, ["confirmed_at", "token"])
            batch = []
    Registration.objects.bulk_update(batch, ["confirmed_at", "token"])


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmée le"),
        ),
        migrations.AddField(
            model_name="registration",
            name="token",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="jeton de confirmation"
            ),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop, elidable=True),
    ]
