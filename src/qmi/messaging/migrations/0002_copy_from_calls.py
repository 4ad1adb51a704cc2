"""Copy the threads of the calls app into messaging, keeping every primary key.

Each thread's subject is its application when it has one, else its call (a
question asked before applying). Attachments keep their stored file path;
audit entries written about threads follow them. Then PostgreSQL sequences
are reset past the copied keys.
"""

from django.core.management.color import no_style
from django.db import migrations

BATCH = 1000


def copy_threads(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    old = {name: apps.get_model("calls", name) for name in ("Thread", "Message", "MessageAttachment", "ThreadRead")}
    new = {name: apps.get_model("messaging", name) for name in old}
    application_type, _ = ContentType.objects.get_or_create(app_label="calls", model="application")
    call_type, _ = ContentType.objects.get_or_create(app_label="calls", model="call")

    def thread(row):
        about_application = row.application_id is not None
        return new["Thread"](
            pk=row.pk,
            subject_type=application_type if about_application else call_type,
            subject_id=row.application_id if about_application else row.call_id,
            is_sole=about_application,
            organisation_id=row.organisation_id,
            title=row.subject,
            awaiting=row.awaiting,
            last_message_at=row.last_message_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def message(row):
        return new["Message"](
            pk=row.pk,
            thread_id=row.thread_id,
            author_id=row.author_id,
            body=row.body,
            created_at=row.created_at,
            from_operator=row.from_operator,
        )

    def attachment(row):
        return new["MessageAttachment"](
            pk=row.pk,
            message_id=row.message_id,
            file=row.file.name,
            name=row.name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
        )

    def read(row):
        return new["ThreadRead"](
            pk=row.pk, thread_id=row.thread_id, user_id=row.user_id, last_read_at=row.last_read_at
        )

    for name, build in (
        ("Thread", thread),
        ("Message", message),
        ("MessageAttachment", attachment),
        ("ThreadRead", read),
    ):
        batch = []
        for row in old[name].objects.order_by("pk").iterator(chunk_size=BATCH):
            batch.append(build(row))
            if len(batch) >= BATCH:
                new[name].objects.bulk_create(batch)
                batch = []
        new[name].objects.bulk_create(batch)

    # The audit trail of a thread follows it (entries point by content type and id).
    old_type = ContentType.objects.filter(app_label="calls", model="thread").first()
    if old_type is not None:
        new_type, _ = ContentType.objects.get_or_create(app_label="messaging", model="thread")
        AuditEntry.objects.filter(content_type=old_type).update(content_type=new_type)

    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), list(new.values()))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("calls", "0005_application_list_index"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(copy_threads, migrations.RunPython.noop)]
