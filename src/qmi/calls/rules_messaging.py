"""Who may ask a question about a call (a thread of qmi.messaging about the call).

Reading and writing threads is messaging's (qmi.messaging.rules).
"""

import rules
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.accounts.rules import memberships_of


@rules.predicate
def is_call_open_for_questions(user, call):
    """Published and not yet closed: questions before opening are welcome."""
    return (
        call is not None
        and call.status == call.Status.PUBLISHED
        and timezone.now() <= call.closes_at
    )


@rules.predicate
def has_eligible_organisation(user, call):
    """Member of at least one organisation of a kind the call accepts."""
    if call is None:
        return False
    return any(kind in call.eligible_kinds for _, kind, _, _ in memberships_of(user))


def eligible_organisations(user, call):
    """The person's organisations that may ask a question about `call` (one query)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, kind__in=list(call.eligible_kinds)
    ).order_by("name")


rules.add_perm(
    "calls.ask_call_question",
    rules.is_authenticated & is_call_open_for_questions & has_eligible_organisation,
)
