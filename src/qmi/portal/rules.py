"""A person's rights over their own data: only they exercise them, from their own session."""

import rules


@rules.predicate
def is_self(user, person):
    return person is not None and user.is_authenticated and user.pk == person.pk


rules.add_perm("portal.export_personal_data", is_self)
rules.add_perm("portal.delete_account", is_self)
