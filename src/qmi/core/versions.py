"""Named versions of the data, in the shared cache, for what is computed once and kept.

Why: a figure or a page that costs tens of milliseconds (funnels, public pages) is
kept in the cache under the versions of the data it was computed from. Saving or
deleting a watched model gives its version a new value, so the next reader computes
again; nothing has to list the keys to forget. The versions live in the shared cache
(Redis or the database), so a change made through one server is seen by every other.

With Redis, each process also keeps the versions it read, for as long as Redis does
not tell it that one changed (core.cache.Tracker): a page checks its versions without
a round trip. With the database cache, they are read each time.
"""

import pickle
import time

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from qmi.core.memory import Memory

KEY = "versions:{name}"
# Audit entries (every service writes one) and people: bumped by core.apps and accounts.apps.
ACTIVITY = "activity"
_watched = {}
# The versions this process read, while its tracker says none changed since.
_known = {}
# Values `remember` computed or read, pickled, beside the shared cache's copy (core.memory).
VALUES_PER_PROCESS = 2000
_values = Memory(VALUES_PER_PROCESS)


def _tracker():
    make = getattr(cache, "tracker", None)
    return make(KEY.format(name="")) if make else None


def _intact():
    """Whether the versions in `_known` are still current; they are forgotten if not."""
    tracker = _tracker()
    if tracker is not None and tracker.intact():
        return True
    _known.clear()
    return False


def _new(name):
    key = KEY.format(name=name)
    _known.pop(key, None)
    cache.set(key, time.time_ns(), None)


def bump(name):
    """A new version now, and again on commit: no reader keeps the state before the commit."""
    _new(name)
    if connection.in_atomic_block:  # outside one, the write is committed already
        transaction.on_commit(lambda: _new(name))


def current(*names):
    """The versions of `names`, in one cache read (a missing one is created)."""
    keys = [KEY.format(name=name) for name in names]
    keep = _intact()
    found = {key: _known[key] for key in keys if key in _known}
    missing = [key for key in keys if key not in found]
    if missing:
        found.update(cache.get_many(missing))
        for key in missing:
            if key not in found:
                cache.add(key, time.time_ns(), None)
                found[key] = cache.get(key)
        if keep:
            _known.update((key, found[key]) for key in missing)
    return tuple(found[key] for key in keys)


def watch(name, *models):
    """Saving or deleting one of `models` (or changing its many-to-many) bumps `name`."""

    def receiver(**_kwargs):
        bump(name)

    for model in models:
        if model in _watched.setdefault(name, set()):
            continue
        _watched[name].add(model)
        uid = f"versions-{name}-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                receiver,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}",
                weak=False,
            )


def watched(name):
    return frozenset(_watched.get(name, ()))


def names():
    """Every version some model is watched under."""
    return sorted(_watched)


def in_transaction():
    """Inside a transaction of the code's own (a test's wrapping one does not count)."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def remember(key, names, compute, timeout, *, settled=False):
    """`compute()`, kept under `key` until one of the versions `names` changes.

    Kept in the shared cache, and in this process's memory in front of it.

    Inside a transaction the value is computed and not kept: it may read rows that a
    rollback will take back, under a version that nothing would bump again. `settled`
    says that no transaction can change what `key` names (a published form), so the
    value is kept from inside one too.
    """
    if in_transaction() and not settled:
        return compute()
    versions = current(*names)
    kept = _values.get(key)
    if kept is not None and kept[0] == versions:
        return pickle.loads(kept[1])  # a copy of its own: callers may change what they get
    stored = cache.get(key)
    if stored is not None and stored[0] == versions:
        value = stored[1]
    else:
        value = compute()
        cache.set(key, (versions, value), timeout)
    _values.set(key, (versions, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)), timeout)
    return value
