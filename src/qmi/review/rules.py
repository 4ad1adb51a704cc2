"""Who may do what in a call's review."""

import rules

from qmi.accounts.rules import is_operator_staff, is_programme_staff


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
