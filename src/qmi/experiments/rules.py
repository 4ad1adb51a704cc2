"""Who may see and move an experiment.

The programme's staff see every experiment; the laureate's team sees its own; the commune's
team for the edition (its named referents and experts, and its organisation's members, as
for its workspace) sees the commune's. Only the operator moves one along its table.
"""

import rules

from qmi.accounts.models import Organisation
from qmi.accounts.rules import is_operator_staff, is_programme_staff, memberships_of
from qmi.programmes.models import CommuneRole

from .models import MANAGE


def commune_roles_of(user):
    """The edition communes where the person holds a named role, read once per user object."""
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_qmi_commune_roles", None)
    if cached is None:
        cached = frozenset(
            CommuneRole.objects.filter(user=user).values_list("edition_commune_id", flat=True)
        )
        user._qmi_commune_roles = cached
    return cached


def communes_of(user):
    """The communes whose organisation the person belongs to."""
    return frozenset(
        commune_id
        for _org, kind, _role, commune_id in memberships_of(user)
        if kind == Organisation.Kind.COMMUNE and commune_id
    )


@rules.predicate
def is_laureate_team(user, experiment):
    if experiment is None:
        return False
    return any(org_id == experiment.organisation_id for org_id, _k, _r, _c in memberships_of(user))


@rules.predicate
def is_commune_team(user, experiment):
    if experiment is None or not user.is_authenticated:
        return False
    if experiment.edition_commune_id in commune_roles_of(user):
        return True
    own = communes_of(user)
    return bool(own) and experiment.edition_commune.commune_id in own


rules.add_perm(
    "experiments.view_experiment", is_programme_staff | is_laureate_team | is_commune_team
)
rules.add_perm("experiments.view_all_experiments", is_programme_staff)
rules.add_perm(MANAGE, is_operator_staff)
