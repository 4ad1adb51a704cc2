# Separate from 0002: PostgreSQL refuses to alter a table with pending updates in one transaction.

from django.db import migrations, models

import qmi.events.models


class Migration(migrations.Migration):
    dependencies = [("events", "0002_registration_confirmation")]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="token",
            field=models.CharField(
                default=qmi.events.models.new_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="jeton de confirmation",
            ),
        ),
    ]
