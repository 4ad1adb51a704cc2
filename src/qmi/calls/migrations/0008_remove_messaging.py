# The message threads moved to qmi.messaging (copied by messaging 0002, same primary keys).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0007_remove_sessions"),
        ("messaging", "0002_copy_from_calls"),
    ]

    operations = [
        migrations.DeleteModel(name="ThreadRead"),
        migrations.DeleteModel(name="MessageAttachment"),
        migrations.DeleteModel(name="Message"),
        migrations.DeleteModel(name="Thread"),
    ]
