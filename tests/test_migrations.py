"""A database of the platform as it was before the shared apps keeps every row once migrated.

tests/fixtures/demo_074af50.json is the demo data (`make run`) dumped at commit
074af50, the last one before mail, messaging and events left core and calls,
plus two information-session registrations and a message with an attachment.
"""

from pathlib import Path

import pytest

from tests.utils import latest_migrations, load_dump, migrate

DUMP = Path(__file__).parent / "fixtures" / "demo_074af50.json"
# The migration leaves at commit 074af50; apps that did not exist then are unapplied.
BEFORE = [
    ("accounts", "0002_initial"),
    ("programmes", "0001_initial"),
    ("calls", "0005_application_list_index"),
    ("core", "0001_initial"),
    ("mail", None),
    ("messaging", None),
    ("events", None),
]


def rows(model, *fields):
    return {row[0]: row[1:] for row in model.objects.values_list("pk", *fields)}


@pytest.mark.django_db(transaction=True)
def test_demo_database_of_074af50_keeps_every_row_once_migrated():
    old = migrate(BEFORE)
    counts = load_dump(old, DUMP)
    assert counts["core.notification"] == 6
    assert counts["calls.thread"] == 2 and counts["calls.message"] == 4
    assert counts["calls.messageattachment"] == 1 and counts["calls.sessionregistration"] == 2

    def get(label):
        return old.get_model(*label.split("."))

    notifications = rows(get("core.Notification"), "recipient", "subject", "read_at", "emailed_at")
    threads = {
        pk: (
            ("application", application) if application else ("call", call),
            organisation,
            subject,
            awaiting,
        )
        for pk, (call, application, organisation, subject, awaiting) in rows(
            get("calls.Thread"), "call", "application", "organisation", "subject", "awaiting"
        ).items()
    }
    messages = rows(get("calls.Message"), "thread", "author", "body", "created_at", "from_operator")
    attachments = rows(get("calls.MessageAttachment"), "message", "file", "name", "sha256")
    reads = rows(get("calls.ThreadRead"), "thread", "user", "last_read_at")
    sessions = rows(get("calls.InformationSession"), "call", "title", "starts_at", "ends_at")
    registrations = rows(
        get("calls.SessionRegistration"), "session", "name", "email", "user", "reminded_at"
    )

    new = migrate(latest_migrations())

    def model(label):
        return new.get_model(*label.split("."))

    assert rows(model("mail.Notification"), "recipient", "subject", "read_at", "emailed_at") == (
        notifications
    )
    assert {
        pk: ((kind, subject_id), organisation, title, awaiting)
        for pk, (kind, subject_id, organisation, title, awaiting) in rows(
            model("messaging.Thread"),
            "subject_type__model",
            "subject_id",
            "organisation",
            "title",
            "awaiting",
        ).items()
    } == threads
    assert (
        rows(model("messaging.Message"), "thread", "author", "body", "created_at", "from_operator")
        == messages
    )
    assert rows(model("messaging.MessageAttachment"), "message", "file", "name", "sha256") == (
        attachments
    )
    assert rows(model("messaging.ThreadRead"), "thread", "user", "last_read_at") == reads
    assert rows(model("events.Event"), "object_id", "title", "starts_at", "ends_at") == sessions
    assert (
        rows(model("events.Registration"), "event", "name", "email", "user", "reminded_at")
        == registrations
    )
    # Sequences moved past the copied ids: the next rows get fresh ones.
    Notification = model("mail.Notification")
    recipient = next(iter(notifications.values()))[0]
    assert Notification.objects.create(recipient_id=recipient, subject="Nouveau", body="…").pk > (
        max(notifications)
    )
