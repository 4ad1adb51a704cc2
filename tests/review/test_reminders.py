"""Jurors are told when files are given to them, and reminded before the phase closes."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qmi.calls.models import Application
from qmi.mail.models import Notification
from qmi.review.models import JurorReminder, Phase, Review
from qmi.review.services import jury
from qmi.review.services.reminders import send_juror_reminders
from tests.factories import (
    ApplicationFactory,
    JurorFactory,
    ReviewPhaseFactory,
    review_of,
    staff_user,
)

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def complete_file(call):
    return ApplicationFactory(
        call=call, status=Application.Status.COMPLETE, submitted_at=timezone.now()
    )


def test_each_juror_is_told_once_of_the_files_given_to_them(django_capture_on_commit_callbacks):
    phase = ReviewPhaseFactory(reviews_per_application=1)
    for _ in range(3):
        complete_file(phase.call)
    juror = JurorFactory(call=phase.call, capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        jury.assign_automatically(phase=phase, by=staff_user())
    told = Notification.objects.filter(recipient=juror.user)
    assert told.count() == 1
    assert "3 dossiers à évaluer" in told.get().subject
    assert [message.to for message in mail.outbox] == [[juror.user.email]]
    assert "/jury/" in mail.outbox[0].body


def test_jurors_with_reviews_to_do_are_reminded_on_j7_and_j2_once(
    django_capture_on_commit_callbacks,
):
    closes = datetime.datetime(2026, 12, 20, 18, 0, tzinfo=PARIS)
    phase = ReviewPhaseFactory(closes_at=closes)
    late, done = JurorFactory(call=phase.call), JurorFactory(call=phase.call)
    review_of(phase, complete_file(phase.call), late)
    review_of(phase, complete_file(phase.call), late)
    finished = review_of(phase, complete_file(phase.call), done)
    Review.objects.filter(pk=finished.pk).update(status=Review.Status.SUBMITTED)
    on_j7 = datetime.datetime(2026, 12, 13, 9, 0, tzinfo=PARIS)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_juror_reminders(now=on_j7) == 1
        assert send_juror_reminders(now=on_j7 + datetime.timedelta(hours=3)) == 0  # once
        assert send_juror_reminders(now=on_j7 + datetime.timedelta(days=1)) == 0  # J-6
        assert send_juror_reminders(now=on_j7 + datetime.timedelta(days=5)) == 1  # J-2
    assert [message.to for message in mail.outbox] == [[late.user.email]] * 2
    assert "Il vous reste 2 évaluations à déposer" in mail.outbox[0].body
    assert "Plus que 7 jours" in mail.outbox[0].subject
    assert JurorReminder.objects.filter(juror=late).count() == 2
    assert not JurorReminder.objects.filter(juror=done).exists()


def test_no_reminder_for_a_closed_phase_or_a_withdrawn_juror():
    closes = datetime.datetime(2026, 12, 20, 18, 0, tzinfo=PARIS)
    phase = ReviewPhaseFactory(closes_at=closes)
    withdrawn = JurorFactory(call=phase.call, withdrawn_at=timezone.now())
    review_of(phase, complete_file(phase.call), withdrawn)
    closed = ReviewPhaseFactory(closes_at=closes, status=Phase.Status.CLOSED)
    review_of(closed, complete_file(closed.call))
    assert send_juror_reminders(now=datetime.datetime(2026, 12, 13, 9, 0, tzinfo=PARIS)) == 0
    Phase.objects.filter(pk=closed.pk).update(status=Phase.Status.OPEN)  # the control
    assert send_juror_reminders(now=datetime.datetime(2026, 12, 13, 9, 0, tzinfo=PARIS)) == 1


def test_staff_remind_a_juror_from_the_jury_table(staff_client, django_capture_on_commit_callbacks):
    phase = ReviewPhaseFactory()
    juror = JurorFactory(call=phase.call)
    review_of(phase, complete_file(phase.call), juror)
    overview = staff_client.get(reverse("review:overview", args=[phase.call.pk])).content.decode()
    assert reverse("review:juror_remind", args=[phase.call.pk, juror.pk]) in overview
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("review:juror_remind", args=[phase.call.pk, juror.pk]), follow=True
        )
    assert "est relancé pour 1 évaluation à rendre" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[juror.user.email]]
    assert "il vous reste 1 évaluation à déposer" in mail.outbox[0].body


def test_only_operator_staff_remind(client):
    phase = ReviewPhaseFactory()
    juror = JurorFactory(call=phase.call)
    review_of(phase, complete_file(phase.call), juror)
    client.force_login(juror.user)
    url = reverse("review:juror_remind", args=[phase.call.pk, juror.pk])
    assert client.post(url).status_code == 404
    assert not Notification.objects.exists()
