"""A database of the platform as it was before the shared apps keeps every row once migrated.

tests/fixtures/demo_074af50.json is the demo data (`make run`) dumped at commit
074af50, the last one before mail, messaging and events left core and calls,
plus two information-session registrations and a message with an attachment.
"""

import json
from pathlib import Path

import pytest
from django.utils.dateparse import parse_datetime

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
    # Rows keep the dates of the dump, not the time of this test.
    dumped = {
        record["pk"]: parse_datetime(record["fields"]["created_at"])
        for record in json.loads(DUMP.read_text())
        if record["model"] == "core.notification"
    }
    assert dict(old.get_model("core", "Notification").objects.values_list("pk", "created_at")) == (
        dumped
    )

    def get(label):
        return old.get_model(*label.split("."))

    notifications = rows(
        get("core.Notification"), "recipient", "subject", "created_at", "read_at", "emailed_at"
    )
    threads = {
        pk: (
            ("application", application) if application else ("call", call),
            organisation,
            subject,
            awaiting,
            created,
        )
        for pk, (call, application, organisation, subject, awaiting, created) in rows(
            get("calls.Thread"),
            "call",
            "application",
            "organisation",
            "subject",
            "awaiting",
            "created_at",
        ).items()
    }
    messages = rows(get("calls.Message"), "thread", "author", "body", "created_at", "from_operator")
    attachments = rows(get("calls.MessageAttachment"), "message", "file", "name", "sha256")
    reads = rows(get("calls.ThreadRead"), "thread", "user", "last_read_at")
    sessions = rows(
        get("calls.InformationSession"), "call", "title", "starts_at", "ends_at", "created_at"
    )
    registrations = rows(
        get("calls.SessionRegistration"), "session", "name", "email", "user", "reminded_at"
    )

    submissions = rows(
        get("calls.Submission"),
        "number",
        "application__reference",
        "application__organisation__name",
        "application__call__title",
        "answers",
        "documents",
    )
    assert submissions

    new = migrate(latest_migrations())

    def model(label):
        return new.get_model(*label.split("."))

    assert (
        rows(
            model("mail.Notification"),
            "recipient",
            "subject",
            "created_at",
            "read_at",
            "emailed_at",
        )
        == notifications
    )
    assert {
        pk: ((kind, subject_id), organisation, title, awaiting, created)
        for pk, (kind, subject_id, organisation, title, awaiting, created) in rows(
            model("messaging.Thread"),
            "subject_type__model",
            "subject_id",
            "organisation",
            "title",
            "awaiting",
            "created_at",
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
    assert (
        rows(model("events.Event"), "object_id", "title", "starts_at", "ends_at", "created_at")
        == sessions
    )
    assert (
        rows(model("events.Registration"), "event", "name", "email", "user", "reminded_at")
        == registrations
    )
    # Notifications whose e-mail had not left wait in the outbox for `send_outbox`.
    unsent = {pk for pk, values in notifications.items() if values[-1] is None}
    assert unsent
    assert (
        set(
            model("mail.OutgoingEmail")
            .objects.filter(status="queued")
            .values_list("notification_id", flat=True)
        )
        == unsent
    )
    # Sequences moved past the copied ids: the next rows get fresh ones.
    Notification = model("mail.Notification")
    recipient = next(iter(notifications.values()))[0]
    assert Notification.objects.create(recipient_id=recipient, subject="Nouveau", body="…").pk > (
        max(notifications)
    )
    # Deposits made before receipts were stored get one built from what is known.
    for pk, receipt in rows(model("calls.Submission"), "receipt").items():
        number, reference, organisation, title, answers, documents = submissions[pk]
        receipt = receipt[0]
        assert (receipt["number"], receipt["reference"]) == (number, reference)
        assert receipt["organisation"]["name"] == organisation
        assert receipt["call"]["title"] == title
        assert [d["sha256"] for d in receipt["documents"]] == [d["sha256"] for d in documents]
        labelled = {i["key"]: i.get("value") for s in receipt["sections"] for i in s["items"]}
        assert {k: v for k, v in answers.items() if k in labelled} == {
            k: v for k, v in labelled.items() if k in answers
        }
        assert labelled
