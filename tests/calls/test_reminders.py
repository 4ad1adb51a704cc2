"""Deadline reminders: J-n is the n-th calendar day before the deadline in Paris, sent once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from qmi.calls.models import Application, Reminder
from qmi.calls.services.applications import deadline_day, send_deadline_reminders
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the reminders at a given Paris time, with the e-mails they schedule after commit."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return send_deadline_reminders(now=now)

    return run


def _draft(closes_at, **kwargs):
    call = CallFactory(
        opens_at=closes_at - datetime.timedelta(days=60), closes_at=closes_at, **kwargs
    )
    application = ApplicationFactory(call=call)
    MembershipFactory(organisation=application.organisation)
    return application


def _sent(application):
    return set(
        Reminder.objects.filter(application=application).values_list("days_before", flat=True)
    )


def test_j7_goes_on_the_seventh_calendar_day_before_not_168_hours_before(remind):
    # Closing on 12 January at 23:59:59: J-7 is 5 January, whatever the hour.
    application = _draft(paris(2026, 1, 12, 23, 59, 59))
    assert remind(paris(2026, 1, 4, 23, 30)) == 0
    assert remind(paris(2026, 1, 5, 0, 5)) == 1
    assert application.reference in mail.outbox[0].subject
    assert "7 jours" in mail.outbox[0].subject
    # Once: not again later that day, nor on the 6th (when 168 hours are left).
    assert remind(paris(2026, 1, 5, 23, 55)) == 0
    assert remind(paris(2026, 1, 6, 0, 5)) == 0
    assert len(mail.outbox) == 1
    assert _sent(application) == {7}


def test_j2_goes_on_its_own_day_and_only_once(remind):
    application = _draft(paris(2026, 1, 12, 23, 59, 59))
    remind(paris(2026, 1, 5, 9, 0))
    assert remind(paris(2026, 1, 9, 23, 59)) == 0
    assert remind(paris(2026, 1, 10, 0, 1)) == 1
    assert remind(paris(2026, 1, 10, 18, 0)) == 0
    assert "2 jours" in mail.outbox[-1].subject
    assert _sent(application) == {7, 2}


def test_a_closing_at_midnight_sharp_counts_from_the_day_before():
    assert deadline_day(paris(2026, 1, 13, 0, 0)) == datetime.date(2026, 1, 12)
    assert deadline_day(paris(2026, 1, 12, 23, 59, 59)) == datetime.date(2026, 1, 12)
    assert deadline_day(paris(2026, 1, 12, 0, 0, 1)) == datetime.date(2026, 1, 12)


def test_j7_after_the_spring_change_of_hour_goes_on_its_day(remind):
    # Summer time starts on 29 March 2026; closing on 2 April at 00:30 (summer time).
    # 168 hours before is 25 March at 23:30 (winter time): a day too early.
    application = _draft(paris(2026, 4, 2, 0, 30))
    assert remind(paris(2026, 3, 25, 23, 45)) == 0
    assert remind(paris(2026, 3, 26, 0, 15)) == 1
    assert _sent(application) == {7}


def test_j7_after_the_autumn_change_of_hour_goes_on_its_day(remind):
    # Winter time starts on 25 October 2026; closing on 30 October at 23:30.
    # 168 hours before is 24 October at 00:30 (summer time): a day too late.
    application = _draft(paris(2026, 10, 30, 23, 30))
    assert remind(paris(2026, 10, 22, 23, 50)) == 0
    assert remind(paris(2026, 10, 23, 10, 0)) == 1
    assert remind(paris(2026, 10, 24, 0, 45)) == 0
    assert _sent(application) == {7}


def test_a_reminder_whose_day_passed_is_not_sent_late(remind):
    # The job did not run on 5 January (J-7), or the draft was started after it.
    application = _draft(paris(2026, 1, 12, 23, 59, 59))
    assert remind(paris(2026, 1, 6, 9, 0)) == 0
    assert remind(paris(2026, 1, 9, 9, 0)) == 0
    assert remind(paris(2026, 1, 10, 9, 0)) == 1
    assert "2 jours" in mail.outbox[0].subject
    assert _sent(application) == {2}


def test_a_draft_started_on_the_day_after_the_run_still_gets_that_day_s_reminder(remind):
    closes_at = paris(2026, 1, 12, 23, 59, 59)
    first = _draft(closes_at)
    assert remind(paris(2026, 1, 5, 8, 0)) == 1
    second = ApplicationFactory(call=first.call)
    MembershipFactory(organisation=second.organisation)
    assert remind(paris(2026, 1, 5, 9, 0)) == 1
    assert _sent(first) == _sent(second) == {7}


def test_no_reminder_for_submitted_files_or_calls_without_reminders(remind):
    closes_at = paris(2026, 1, 12, 23, 59, 59)
    submitted = _draft(closes_at)
    Application.objects.filter(pk=submitted.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=paris(2026, 1, 2, 10, 0)
    )
    _draft(closes_at, reminder_days=[])
    assert remind(paris(2026, 1, 5, 9, 0)) == 0
    assert remind(paris(2026, 1, 10, 9, 0)) == 0
    assert mail.outbox == []
