"""Who may do what in an allocation.

The operator runs it; a commune's agent referent ranks the laureates its commune wants and
the rest of its team reads the list; a laureate's team confirms or revises its ranking of
the communes. Nobody but the operator sees runs, comparisons or the other side's ranks.
"""

import rules

from qmi.accounts.rules import is_operator_staff, memberships_of

from . import queries


@rules.predicate
def in_commune_team(user, commune):
    return commune is not None and queries.is_commune_team(user, commune.edition_commune)


@rules.predicate
def is_commune_referent(user, commune):
    return commune is not None and queries.is_agent_referent(user, commune.edition_commune)


@rules.predicate
def is_laureate_member(user, application):
    """A member of the laureate's organisation."""
    if application is None or not user.is_authenticated:
        return False
    return any(org_id == application.organisation_id for org_id, _k, _r, _c in memberships_of(user))


rules.add_perm("allocation.manage_allocation", is_operator_staff)
rules.add_perm("allocation.view_wishes", is_operator_staff | in_commune_team)
rules.add_perm("allocation.rank_laureates", is_operator_staff | is_commune_referent)
rules.add_perm("allocation.answer_ranking", is_laureate_member | is_operator_staff)
