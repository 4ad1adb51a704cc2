import rules

from qmi.accounts.rules import is_operator_staff, memberships_of


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
rules.add_perm("calls.view_application", is_applicant | is_operator_staff)
rules.add_perm("calls.edit_application", is_applicant & is_editable)
rules.add_perm("calls.submit_application", is_applicant)
rules.add_perm("calls.withdraw_application", is_applicant)
rules.add_perm("calls.examine_application", is_operator_staff)
rules.add_perm("calls.list_applications", is_operator_staff)

from . import rules_messaging  # noqa: E402, F401 — who may ask a question about a call
