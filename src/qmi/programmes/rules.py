import rules

from qmi.accounts.rules import (
    is_metropolis_staff,
    is_operator_staff,
    is_programme_staff,
    memberships_of,
)


@rules.predicate
def is_member_of_commune(user, edition_commune):
    """Members of the commune's organisation work in its workspace, for every edition."""
    if edition_commune is None:
        return False
    return any(
        commune_id == edition_commune.commune_id for _, _, _, commune_id in memberships_of(user)
    )


@rules.predicate
def is_admin_of_commune(user, edition_commune):
    if edition_commune is None:
        return False
    return any(
        commune_id == edition_commune.commune_id and role == "admin"
        for _, _, role, commune_id in memberships_of(user)
    )


rules.add_perm("programmes.manage_editions", is_operator_staff)
# The Métropole's decisions: which communes its Bureau selects, and announcing them
# (moving the edition past the communes' selection publishes it; see Edition).
rules.add_perm("programmes.select_communes", is_operator_staff | is_metropolis_staff)
rules.add_perm("programmes.change_edition_stage", is_operator_staff | is_metropolis_staff)
rules.add_perm("programmes.view_commune_workspace", is_member_of_commune | is_programme_staff)
rules.add_perm("programmes.manage_commune_team", is_admin_of_commune | is_operator_staff)
rules.add_perm("programmes.change_challenge", is_operator_staff)
rules.add_perm("programmes.change_sector", is_operator_staff)
