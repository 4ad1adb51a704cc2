"""The staff's to-do: what waits for the programme's team, gathered from every app.

Each item is a count and the few oldest rows, in two queries whatever the data.
The whole to-do is the same for every member of the team: it is kept until
an application, a thread, a call or an invitation changes (core.versions), and
at most a minute for what the clock alone changes (a correction falls late, a
call comes within 14 days of its closing, an invitation expires).
"""

import time
from dataclasses import dataclass

from django.utils import timezone

from qmi.accounts.queries import INVITATIONS, pending_invitations
from qmi.calls.funnel import APPLICATIONS
from qmi.calls.queries import applications_to_examine, calls_closing_soon, late_corrections
from qmi.core import versions
from qmi.core.public_cache import CONTENT
from qmi.mail.services import INBOX
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
    minute = int(time.time() // 60)
    return versions.remember(
        f"staff-todo:{minute}", (APPLICATIONS, INBOX, CONTENT, INVITATIONS), _compute, 120
    )


def _compute():
    now = timezone.now()
    return [
        _item("to_examine", applications_to_examine()),
        _item("late_corrections", late_corrections(now)),
        _item("threads", threads_awaiting_operator()),
        _item("closing_calls", calls_closing_soon(now)),
        _item("invitations", pending_invitations()),
    ]
