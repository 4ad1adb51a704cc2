"""Who may do what in a call's review."""

import rules

from qmi.accounts.rules import (
    is_metropolis_staff,
    is_operator_staff,
    is_programme_staff,
    memberships_of,
)
from qmi.calls.models import Call


@rules.predicate
def is_reviewer(user, review):
    """The juror the review's file was assigned to, while they are still on the jury."""
    if review is None or not user.is_authenticated:
        return False
    juror = review.assignment.juror
    return juror.user_id == user.pk and juror.withdrawn_at is None


rules.add_perm("review.manage_review", is_operator_staff)
rules.add_perm("review.score", is_reviewer)
# Staged decisions are prepared by the programme's staff: the operator's and the Métropole's
# (its Bureau selects the communes of the AMI).
rules.add_perm("review.stage_decisions", is_programme_staff)


@rules.predicate
def publishes_for(user, call):
    """The Métropole announces the AMI's communes (its Bureau selects them); the operator
    announces the laureates of the call for projects, after the jury."""
    if call is None:
        return False
    if call.kind == Call.Kind.EXPRESSION_OF_INTEREST:
        return is_metropolis_staff(user)
    return is_operator_staff(user)


rules.add_perm("review.publish_decisions", publishes_for)


@rules.predicate
def is_audition_applicant(user, audition):
    """A member of the auditioned organisation: they answer the invitation."""
    if audition is None or not user.is_authenticated:
        return False
    organisation_id = audition.application.organisation_id
    return any(org_id == organisation_id for org_id, _, _, _ in memberships_of(user))


@rules.predicate
def is_audition_panelist(user, audition):
    """A juror of the audition's panel, while still on the jury."""
    if audition is None or not user.is_authenticated:
        return False
    return audition.panel.filter(user_id=user.pk, withdrawn_at__isnull=True).exists()


rules.add_perm("review.answer_audition", is_audition_applicant)
rules.add_perm("review.take_audition_notes", is_operator_staff | is_audition_panelist)
