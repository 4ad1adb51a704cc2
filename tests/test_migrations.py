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
]


@pytest.mark.django_db(transaction=True)
def test_demo_database_of_074af50_keeps_every_notification():
    old = migrate(BEFORE)
    counts = load_dump(old, DUMP)
    old_notifications = {
        n.pk: (n.recipient_id, n.subject, n.read_at, n.emailed_at)
        for n in old.get_model("core", "Notification").objects.all()
    }
    assert len(old_notifications) == counts["core.notification"] == 6

    new = migrate(latest_migrations())
    Notification = new.get_model("mail", "Notification")
    assert {
        n.pk: (n.recipient_id, n.subject, n.read_at, n.emailed_at)
        for n in Notification.objects.all()
    } == old_notifications
    # The sequence moved past the copied ids: the next notification gets a fresh one.
    created = Notification.objects.create(
        recipient_id=old_notifications[min(old_notifications)][0], subject="Nouveau", body="…"
    )
    assert created.pk > max(old_notifications)
