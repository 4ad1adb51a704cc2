from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0006_sessions_to_events"),
    ]

    operations = [
        # Registrations first: they point at the sessions.
        migrations.DeleteModel(name="SessionRegistration"),
        migrations.DeleteModel(name="InformationSession"),
    ]
