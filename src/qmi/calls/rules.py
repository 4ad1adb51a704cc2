"""Who may do what with calls and applications; reading and writing threads is qmi.messaging's."""

import rules
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.accounts.rules import is_operator_staff, is_programme_staff, memberships_of


@rules.predicate
def is_applicant(user, application):
    """Members of the applying organisation share its drafts and applications."""
    if application is None:
        return False
    return any(org_id == application.organisation_id for org_id, _, _, _ in memberships_of(user))


@rules.predicate
def is_editable(user, application):
    return application is not None and application.status in ("draft", "correction_requested")


rules.add_perm("calls.manage_calls", is_operator_staff)
rules.add_perm("calls.view_unpublished_calls", is_programme_staff)
rules.add_perm("calls.view_application", is_applicant | is_programme_staff)
rules.add_perm("calls.edit_application", is_applicant & is_editable)
rules.add_perm("calls.submit_application", is_applicant)
rules.add_perm("calls.withdraw_application", is_applicant)
rules.add_perm("calls.examine_application", is_operator_staff)
rules.add_perm("calls.list_applications", is_programme_staff)
# The operator's own working tools: its private notes and the bulk download of documents.
rules.add_perm("calls.view_staff_notes", is_operator_staff)
rules.add_perm("calls.export_documents", is_operator_staff)

# Questions about a call (a thread of qmi.messaging about the call) ----------------


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
