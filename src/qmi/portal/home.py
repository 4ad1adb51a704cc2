"""« Mon espace »: what waits for a person, gathered from every app, in fixed queries.

The first screen answers "what do I have to do now": files in progress and what
they lack, corrections, unread messages, invitations; then the calls the person's
organisations may answer and their information sessions; then their spaces.
"""

from django.db.models import Count, Q
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.accounts.queries import pending_invitations_for, personal_organisations
from qmi.accounts.rules import memberships_of
from qmi.allocation.queries import home_items as allocation_items
from qmi.calls.progress import next_step
from qmi.calls.queries import applications_to, in_progress_for, open_calls_for
from qmi.calls.services.applications import checklists
from qmi.events.queries import upcoming_about
from qmi.messaging.queries import unread_threads_of
from qmi.programmes.queries import workspaces_for
from qmi.review.models import Review
from qmi.review.queries import assignments_of, jury_invitations_for

FILES_SHOWN = 10
SHOWN = 5


def _files(user, now):
    """The files in progress nearest their deadline, and how many there are in all."""
    in_progress = in_progress_for(user)
    applications = list(in_progress[:FILES_SHOWN])
    missing = checklists(applications)
    files = []
    for application in applications:
        correction = application.open_corrections[0] if application.open_corrections else None
        expected, deadline = next_step(application, correction, now)
        files.append(
            {
                "application": application,
                "correction": correction,
                "expected": expected,
                "deadline": deadline,
                "missing": missing[application.pk],
            }
        )
    return files, in_progress.count()


def _open_calls(user, kinds, now):
    """Calls the person's organisations may answer, each with `my_application` (pk or None)."""
    calls = open_calls_for(kinds, now) if kinds else []
    mine = applications_to(user, calls) if calls else {}
    for call in calls:
        call.my_application = mine.get(call.pk)
    return calls


def _sessions(calls, now):
    by_pk = {call.pk: call for call in calls}
    events = upcoming_about(calls, limit=SHOWN, now=now)
    for event in events:
        event.call = by_pk[event.object_id]
    return events


def review_counts(user):
    """{"to_do", "total"} of the person's files to review in open phases (one query)."""
    counts = assignments_of(user).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(review__status=Review.Status.SUBMITTED))
    )
    return {"to_do": counts["total"] - counts["done"], "total": counts["total"]}


def home_for(user):
    now = timezone.now()
    kinds = {kind for _, kind, _, _ in memberships_of(user)}
    files, files_count = _files(user, now)
    calls = _open_calls(user, kinds, now)
    unread = unread_threads_of(user)
    workspaces = list(
        workspaces_for(user)
        .select_related("challenge", "sector")
        .annotate(team_size=Count("team"))[:20]
    )
    return {
        "is_partner": Organisation.Kind.PARTNER in kinds,
        "reviews": review_counts(user),
        "allocations": allocation_items(user),
        "files": files,
        "files_count": files_count,
        "unread_threads": list(unread[:SHOWN]),
        "unread_count": unread.count(),
        "invitations": list(pending_invitations_for(user)[:20]),
        "jury_invitations": list(jury_invitations_for(user)[:20]),
        "open_calls": calls[:SHOWN],
        "sessions": _sessions(calls, now),
        "workspaces": workspaces,
        "organisations": list(personal_organisations(user).order_by("name")[:50]),
    }
