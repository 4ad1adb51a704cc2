"""Who may do what with people and organisations, as `rules` predicates.

Every predicate reads the person's memberships through `memberships_of`, which
loads them once per request and caches them on the user object; between requests
they are kept in the shared cache until a membership or an organisation changes
(core.versions): every page asks for them, often before anything else.
"""

import rules

from qmi.core import versions

from .models import Membership, Organisation
from .second_factor import second_factor_satisfied

# The version of memberships and organisations (bumped in accounts.apps).
MEMBERSHIPS = "memberships"
MEMBERSHIPS_SECONDS = 300


def memberships_of(user):
    """The person's memberships as plain tuples, loaded once per user object."""
    if not user or not user.is_authenticated:
        return ()
    cached = getattr(user, "_qmi_memberships", None)
    if cached is None:
        cached = versions.remember(
            f"memberships:{user.pk}",
            (MEMBERSHIPS,),
            lambda: tuple(
                Membership.objects.filter(user=user).values_list(
                    "organisation_id", "organisation__kind", "role", "organisation__commune_id"
                )
            ),
            MEMBERSHIPS_SECONDS,
        )
        user._qmi_memberships = cached
    return cached


def forget_memberships(user):
    if hasattr(user, "_qmi_memberships"):
        del user._qmi_memberships


def has_staff_role(user):
    """The person holds a staff role (whether or not its powers apply in this session)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(kind in Organisation.STAFF_KINDS for _, kind, _, _ in memberships_of(user))


@rules.predicate
def is_programme_staff(user):
    """Paris&Co's and the Métropole's teams: they see everything the programme holds.

    The role gives nothing until the second factor was verified in this session
    (see `second_factor`), so every rule built on these predicates follows.
    """
    return has_staff_role(user) and second_factor_satisfied(user)


@rules.predicate
def is_operator_staff(user):
    """Paris&Co run the programme day to day, with its tools; superusers (support) too.

    The Métropole's team reads what the operator reads and takes the Métropole's own
    decisions (see `is_metropolis_staff`), not the operator's tools.
    """
    if not is_programme_staff(user):
        return False
    return user.is_superuser or any(
        kind == Organisation.Kind.OPERATOR for _, kind, _, _ in memberships_of(user)
    )


@rules.predicate
def is_metropolis_staff(user):
    """The Métropole's team: its Bureau selects the communes and the Métropole announces it."""
    return is_programme_staff(user) and any(
        kind == Organisation.Kind.METROPOLIS for _, kind, _, _ in memberships_of(user)
    )


@rules.predicate
def is_operator_admin(user):
    """The operator's administrators: they onboard organisations, their first members included."""
    if not is_programme_staff(user):
        return False
    return user.is_superuser or any(
        kind == Organisation.Kind.OPERATOR and role == Membership.Role.ADMIN
        for _, kind, role, _ in memberships_of(user)
    )


@rules.predicate
def is_member_of(user, organisation):
    if organisation is None:
        return False
    return any(org_id == organisation.pk for org_id, _, _, _ in memberships_of(user))


@rules.predicate
def is_admin_of(user, organisation):
    if organisation is None:
        return False
    return any(
        org_id == organisation.pk and role == Membership.Role.ADMIN
        for org_id, _, role, _ in memberships_of(user)
    )


@rules.predicate
def is_commune_member(user):
    return any(kind == Organisation.Kind.COMMUNE for _, kind, _, _ in memberships_of(user))


rules.add_perm("accounts.access_backoffice", is_programme_staff)
rules.add_perm("accounts.view_organisation", is_member_of | is_programme_staff)
rules.add_perm("accounts.change_organisation", is_admin_of | is_operator_staff)
# Kinds and communes of organisations, and organisations set up for others.
rules.add_perm("accounts.set_up_organisations", is_operator_staff)
# An organisation's members are its administrators' business; the operator's onboard.
rules.add_perm("accounts.manage_members", is_admin_of | is_operator_admin)
rules.add_perm("accounts.create_organisation", rules.is_authenticated)
rules.add_perm("accounts.list_organisations", is_programme_staff)
rules.add_perm("core.view_audit", is_programme_staff)
# The shared mail app sits below accounts: the roles that may use its staff powers are named here.
rules.add_perm("mail.release_email", is_operator_staff)
