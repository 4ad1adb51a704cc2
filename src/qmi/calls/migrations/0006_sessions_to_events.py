"""Information sessions and their registrations become qmi.events rows (same primary keys).

Same keys, so the calendar files' UIDs (qmi-reunion-<pk>@host) and links sent
by e-mail (/appels/<slug>/reunions/<pk>/...) stay valid. The reverse copies back
the events about calls.
"""

from django.core.management.color import no_style
from django.db import migrations

KIND = "information_session"


def _keep_timestamps(model, db, rows):
    # bulk_create stamps auto_now(_add) fields with the present; put the real dates back.
    for pk, created_at, updated_at in rows:
        model.objects.using(db).filter(pk=pk).update(created_at=created_at, updated_at=updated_at)


def _reset_sequences(schema_editor, models):
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    InformationSession = apps.get_model("calls", "InformationSession")
    SessionRegistration = apps.get_model("calls", "SessionRegistration")
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    db = schema_editor.connection.alias
    if not InformationSession.objects.using(db).exists():
        return
    call_type, _ = ContentType.objects.using(db).get_or_create(app_label="calls", model="call")
    Event.objects.using(db).bulk_create(
        Event(
            pk=session.pk,
            kind=KIND,
            title=session.title,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            link=session.link,
            content_type=call_type,
            object_id=session.call_id,
            created_at=session.created_at,
            updated_at=session.updated_at,
        )
        for session in InformationSession.objects.using(db).order_by("pk").iterator()
    )
    _keep_timestamps(
        Event, db, InformationSession.objects.using(db).values_list("pk", "created_at", "updated_at")
    )
    Registration.objects.using(db).bulk_create(
        Registration(
            pk=registration.pk,
            event_id=registration.session_id,
            name=registration.name,
            organisation_name=registration.organisation_name,
            email=registration.email,
            created_at=registration.created_at,
            user_id=registration.user_id,
            reminded_at=registration.reminded_at,
        )
        for registration in SessionRegistration.objects.using(db).order_by("pk").iterator()
    )
    _reset_sequences(schema_editor, [Event, Registration])


def backward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    InformationSession = apps.get_model("calls", "InformationSession")
    SessionRegistration = apps.get_model("calls", "SessionRegistration")
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    db = schema_editor.connection.alias
    call_type = ContentType.objects.using(db).filter(app_label="calls", model="call").first()
    if call_type is None:
        return
    events = Event.objects.using(db).filter(content_type=call_type, kind=KIND)
    InformationSession.objects.using(db).bulk_create(
        InformationSession(
            pk=event.pk,
            call_id=event.object_id,
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            link=event.link,
            created_at=event.created_at,
            updated_at=event.updated_at,
        )
        for event in events.order_by("pk").iterator()
    )
    _keep_timestamps(
        InformationSession, db, events.values_list("pk", "created_at", "updated_at")
    )
    SessionRegistration.objects.using(db).bulk_create(
        SessionRegistration(
            pk=registration.pk,
            session_id=registration.event_id,
            name=registration.name,
            organisation_name=registration.organisation_name,
            email=registration.email,
            created_at=registration.created_at,
            user_id=registration.user_id,
            reminded_at=registration.reminded_at,
        )
        for registration in Registration.objects.using(db)
        .filter(event__in=events)
        .order_by("pk")
        .iterator()
    )
    _reset_sequences(schema_editor, [InformationSession, SessionRegistration])
    events.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0005_application_list_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
