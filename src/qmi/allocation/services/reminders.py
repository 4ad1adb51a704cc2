"""Reminding both sides before the preferences close: J-3 and J-1 (Paris calendar days).

A commune whose referent has saved no wishes, and a laureate who has neither confirmed
nor revised its ranking, each get a message; once per allocation and day, never late.
Run it hourly (`manage.py send_allocation_reminders`).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qmi.calls.services.applications import deadline_day
from qmi.mail.services import notify
from qmi.programmes.models import CommuneRole

from .. import queries
from ..models import Allocation, LaureateRanking

REMINDER_DAYS = (3, 1)


def send_preference_reminders(*, now=None):
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    sent = 0
    for allocation in Allocation.objects.filter(published_at__isnull=True, closes_at__gt=now):
        days = (deadline_day(allocation.closes_at) - today).days
        if days not in REMINDER_DAYS or days in allocation.reminders_sent:
            continue
        with transaction.atomic():
            locked = (
                Allocation.objects.select_for_update().select_related("call").get(pk=allocation.pk)
            )
            if days in locked.reminders_sent:
                continue
            locked.reminders_sent = [*locked.reminders_sent, days]
            locked.save(update_fields=["reminders_sent"])
            sent += _remind(locked, days)
    return sent


def _remind(allocation, days):
    sent = 0
    for commune in queries.communes_of(allocation):
        if commune.wishes_saved_at is not None:
            continue
        referents = [
            role.user
            for role in CommuneRole.objects.filter(
                edition_commune=commune.edition_commune,
                role=CommuneRole.Role.AGENT_REFERENT,
                user__is_active=True,
            ).select_related("user")
        ]
        if referents:
            notify(
                recipients=referents,
                template="allocation/email/commune_reminder",
                context={"allocation": allocation, "call": allocation.call, "days": days},
                url=reverse("allocation:commune", kwargs={"pk": commune.pk}),
            )
            sent += 1
    answered = set(
        LaureateRanking.objects.filter(allocation=allocation).values_list(
            "application_id", flat=True
        )
    )
    waiting = list(queries.announced_laureates(allocation.call).exclude(pk__in=answered))
    members = queries.members_by_organisation(
        {application.organisation_id for application in waiting}
    )
    for application in waiting:
        recipients = members.get(application.organisation_id, [])
        if recipients:
            notify(
                recipients=recipients,
                template="allocation/email/laureate_reminder",
                context={
                    "allocation": allocation,
                    "call": allocation.call,
                    "days": days,
                    "application": application,
                },
                url=reverse(
                    "allocation:laureate",
                    kwargs={"pk": allocation.pk, "application_pk": application.pk},
                ),
            )
            sent += 1
    return sent
