"""Who may read and write message threads (see services.py).

The applicant side of a thread is every member of its organisation; the
operator side is operator staff; the Métropole's team reads every thread but
does not write in the operator's name. Nobody else learns that a thread exists.
Who may open a thread about a subject is the subject kind's
`start_permission` (see subjects.py).
"""

import rules

from qmi.accounts.rules import (
    is_member_of,
    is_operator_staff,
    is_programme_staff,
    memberships_of,
)


@rules.predicate
def is_thread_member(user, thread):
    """A member of the organisation the thread was opened for (the applicant side)."""
    if thread is None:
        return False
    return any(org_id == thread.organisation_id for org_id, _, _, _ in memberships_of(user))


def writes_as_operator(user, thread=None, *, organisation=None):
    """Whether the person writes for the operator here (a new thread: for `organisation`).

    A member of the thread's organisation writes as the applicant, even when on the
    operator's staff: the one answer the thread page and `post_message` share.
    """
    if not is_operator_staff(user):
        return False
    if thread is not None:
        return not is_thread_member(user, thread)
    return not is_member_of(user, organisation)


rules.add_perm("messaging.view_thread", is_thread_member | is_programme_staff)
rules.add_perm("messaging.view_all_threads", is_programme_staff)
rules.add_perm("messaging.post_message", is_thread_member | is_operator_staff)
rules.add_perm("messaging.manage_threads", is_operator_staff)
