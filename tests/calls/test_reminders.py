import datetime

import pytest
from django.core import mail
from django.utils import timezone

from qmi.calls.models import Application, Reminder
from qmi.calls.services.applications import send_deadline_reminders
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the reminders and the e-mails they schedule for after commit."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send_deadline_reminders(**kwargs)

    return run


def _draft(closes_in_days, **kwargs):
    call = CallFactory(closes_at=timezone.now() + datetime.timedelta(days=closes_in_days), **kwargs)
    application = ApplicationFactory(call=call)
    MembershipFactory(organisation=application.organisation)
    return application


def test_reminder_goes_out_seven_days_before_and_only_once(remind):
    application = _draft(6.5)
    assert remind() == 1
    assert len(mail.outbox) == 1
    assert application.reference in mail.outbox[0].subject
    assert remind() == 0
    assert len(mail.outbox) == 1


def test_second_reminder_goes_out_two_days_before(remind):
    application = _draft(6.5)
    remind()
    later = timezone.now() + datetime.timedelta(days=5)
    assert remind(now=later) == 1
    assert set(
        Reminder.objects.filter(application=application).values_list("days_before", flat=True)
    ) == {7, 2}


def test_draft_started_late_gets_only_the_closest_reminder(remind):
    application = _draft(1.5)
    assert remind() == 1
    assert "2 jours" in mail.outbox[0].subject
    # J-7 is marked as passed, so it never goes out after J-2.
    assert remind() == 0
    assert Reminder.objects.filter(application=application).count() == 2


def test_no_reminder_too_early_for_submitted_or_for_calls_without_reminders(remind):
    _draft(20)
    submitted = _draft(3)
    Application.objects.filter(pk=submitted.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    _draft(1, reminder_days=[])
    assert remind() == 0
    assert mail.outbox == []
