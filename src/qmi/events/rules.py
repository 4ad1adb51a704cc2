import rules

from . import registry


@rules.predicate
def may_manage_events_about(user, about):
    """Managing an object's events is the owning app's decision (see registry)."""
    if about is None:
        return False
    return bool(registry.subject_of(about).may_manage(user, about))


rules.add_perm("events.manage_events", may_manage_events_about)
