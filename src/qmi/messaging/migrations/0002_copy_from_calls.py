"""Copy the threads of the calls app into messaging, keeping every primary key.

Each thread's subject is its application when it has one, else its call (a
question asked before applying). Attachments keep their stored file path;
audit entries written about threads follow them. Then PostgreSQL sequences
are reset past the copied keys. Creation and change dates are kept.
"""

import contextlib

from django.core.management.color import no_style
from django.db import migrations

BATCH = 1000


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
        with dates_as_given(new[name]):
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


def copy_thread_back(model, Application, row, application_type):
    about_application = row.subject_type_id == getattr(application_type, "pk", None)
    if about_application:
        call_id = Application.objects.values_list("call_id", flat=True).get(pk=row.subject_id)
    else:
        call_id = row.subject_id
    model.objects.create(
        pk=row.pk,
        call_id=call_id,
        application_id=row.subject_id if about_application else None,
        organisation_id=row.organisation_id,
        subject=row.title,
        awaiting=row.awaiting,
        last_message_at=row.last_message_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def copy_back(apps, schema_editor):
    """Unapplying: the same copy the other way, into the tables calls 0006 recreated."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    Application = apps.get_model("calls", "Application")
    names = ("Thread", "Message", "MessageAttachment", "ThreadRead")
    old = {name: apps.get_model("calls", name) for name in names}
    new = {name: apps.get_model("messaging", name) for name in names}
    application_type = ContentType.objects.filter(app_label="calls", model="application").first()
    with dates_as_given(old["Thread"]):
        for row in new["Thread"].objects.order_by("pk").iterator(chunk_size=BATCH):
            copy_thread_back(old["Thread"], Application, row, application_type)
    fields = {
        "Message": ("thread_id", "author_id", "body", "created_at", "from_operator"),
        "MessageAttachment": ("message_id", "file", "name", "content_type", "size", "sha256"),
        "ThreadRead": ("thread_id", "user_id", "last_read_at"),
    }
    for name, columns in fields.items():
        old[name].objects.bulk_create(
            old[name](pk=row.pk, **{column: getattr(row, column) for column in columns})
            for row in new[name].objects.order_by("pk")
        )
    new_type = ContentType.objects.filter(app_label="messaging", model="thread").first()
    if new_type is not None:
        old_type, _ = ContentType.objects.get_or_create(app_label="calls", model="thread")
        AuditEntry.objects.filter(content_type=new_type).update(content_type=old_type)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(old.values())):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("calls", "0005_application_list_index"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(copy_threads, copy_back)]
