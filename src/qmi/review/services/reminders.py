"""Telling jurors: files given to them, and reviews still to do before the phase closes."""

from collections import Counter

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qmi.calls.services.applications import deadline_day
from qmi.core import audit
from qmi.core.permissions import require
from qmi.mail.services import notify

from .. import queries
from ..models import Assignment, JurorReminder, Phase, Review

# J-n days (Paris calendar) on which jurors with reviews still to do are reminded.
REMINDER_DAYS = (7, 2)


def tell_assigned(assignments):
    """One message per juror for the files just given to them (after the run commits)."""
    by_juror = Counter()
    jurors = {}
    for assignment in assignments:
        by_juror[assignment.juror_id] += 1
        jurors[assignment.juror_id] = assignment
    for juror_id, count in by_juror.items():
        assignment = jurors[juror_id]
        notify(
            recipients=[assignment.juror.user],
            template="review/email/assigned",
            context={"phase": assignment.phase, "call": assignment.phase.call, "count": count},
            url=reverse("review:queue"),
        )


def send_juror_reminders(*, now=None):
    """Remind each juror with reviews outstanding on the J-7 and J-2 days of the phase's close.

    As the drafts' reminders (calls.services.applications.send_deadline_reminders): a
    calendar day in Europe/Paris, once per juror, phase and day, never sent late. Run it
    hourly (`manage.py send_jury_reminders`).
    """
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    sent = 0
    phases = Phase.objects.filter(
        status=Phase.Status.OPEN, scoring=True, closes_at__gt=now
    ).select_related("call")
    for phase in phases:
        days = (deadline_day(phase.closes_at) - today).days
        if days not in REMINDER_DAYS:
            continue
        outstanding = Counter(
            Assignment.objects.filter(phase=phase, juror__withdrawn_at__isnull=True)
            .exclude(review__status=Review.Status.SUBMITTED)
            .values_list("juror_id", flat=True)
        )
        for juror in queries.active_jurors(phase.call).filter(pk__in=list(outstanding)):
            with transaction.atomic():
                _, created = JurorReminder.objects.get_or_create(
                    juror=juror, phase=phase, days_before=days
                )
                if not created:
                    continue
                notify(
                    recipients=[juror.user],
                    template="review/email/reminder",
                    context={
                        "phase": phase,
                        "call": phase.call,
                        "days": days,
                        "count": outstanding[juror.pk],
                    },
                    url=reverse("review:queue"),
                )
                sent += 1
    return sent


@transaction.atomic
def remind_now(*, juror, by):
    """Staff remind a juror of the reviews they still have to do, in every open phase."""
    require(by, "review.manage_review")
    outstanding = Counter(
        Assignment.objects.filter(
            juror=juror, phase__status=Phase.Status.OPEN, juror__withdrawn_at__isnull=True
        )
        .exclude(review__status=Review.Status.SUBMITTED)
        .values_list("phase_id", flat=True)
    )
    if not outstanding:
        return 0
    for phase in Phase.objects.filter(pk__in=list(outstanding)).select_related("call"):
        notify(
            recipients=[juror.user],
            template="review/email/nudge",
            context={"phase": phase, "call": phase.call, "count": outstanding[phase.pk]},
            url=reverse("review:queue"),
        )
    audit.record(obj=juror.call, actor=by, action="juror_reminded", note=str(juror.user))
    return sum(outstanding.values())
