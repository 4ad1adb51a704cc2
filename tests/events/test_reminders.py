import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from qmi.events.models import Registration
from qmi.events.services import send_reminders
from tests.factories import information_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders(**kwargs)

    return run


def _registration(starts_in, registered_before=datetime.timedelta(days=3), **fields):
    now = timezone.now()
    starts_at = now + starts_in
    session = information_session(starts_at=starts_at)
    fields.setdefault("email", f"inscrit{session.pk}@exemple.fr")
    fields.setdefault("confirmed_at", starts_at - registered_before)
    return Registration.objects.create(
        event=session, name="Camille", created_at=starts_at - registered_before, **fields
    )


def test_reminder_is_sent_once_within_24_hours(remind):
    registration = _registration(datetime.timedelta(hours=20))
    assert remind() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [registration.email]
    assert "Rappel" in message.subject
    assert message.attachments[0][0] == "reunion.ics"
    registration.refresh_from_db()
    assert registration.reminded_at is not None
    assert remind() == 0
    assert remind(now=timezone.now() + datetime.timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_before_the_window_or_after_the_start(remind):
    early = _registration(datetime.timedelta(hours=25))
    started = _registration(-datetime.timedelta(minutes=5))
    assert remind() == 0
    assert mail.outbox == []
    # An hour later, the first one enters its window; the other never gets one.
    assert remind(now=timezone.now() + datetime.timedelta(hours=1, minutes=1)) == 1
    assert mail.outbox[0].to == [early.email]
    started.refresh_from_db()
    assert started.reminded_at is None


def test_late_registrations_are_not_reminded(remind):
    # Registered 3 hours before the start: the confirmation was the reminder.
    _registration(datetime.timedelta(hours=2), registered_before=datetime.timedelta(hours=3))
    assert remind() == 0


def test_management_command(django_capture_on_commit_callbacks, capsys):
    _registration(datetime.timedelta(hours=10))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_session_reminders")
    assert "1 rappel envoyé." in capsys.readouterr().out
    assert len(mail.outbox) == 1
