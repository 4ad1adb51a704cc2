"""The staff's to-do: what waits for the programme's team, gathered from every app.

Each item is a count and the few oldest rows, in two queries whatever the data.
"""

from dataclasses import dataclass

from django.utils import timezone

from qmi.accounts.queries import pending_invitations
from qmi.calls.queries import applications_to_examine, calls_closing_soon, late_corrections
from qmi.messaging.queries import threads_awaiting_operator

SHOWN = 5


@dataclass
class Item:
    key: str
    count: int
    rows: list


def _item(key, queryset):
    return Item(key=key, count=queryset.count(), rows=list(queryset[:SHOWN]))


def staff_todo():
    now = timezone.now()
    return [
        _item("to_examine", applications_to_examine()),
        _item("late_corrections", late_corrections(now)),
        _item("threads", threads_awaiting_operator()),
        _item("closing_calls", calls_closing_soon(now)),
        _item("invitations", pending_invitations()),
    ]
