"""Named versions of the data, in the shared cache, for what is computed once and kept.

Why: a figure or a page that costs tens of milliseconds (funnels, public pages) is
kept in the cache under the versions of the data it was computed from. Saving or
deleting a watched model gives its version a new value, so the next reader computes
again; nothing has to list the keys to forget. The versions live in the shared cache
(Redis or the database), so a change made through one server is seen by every other.
"""

import time

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

KEY = "versions:{name}"
# Audit entries (every service writes one) and people: bumped by core.apps and accounts.apps.
ACTIVITY = "activity"
_watched = {}


def _new(name):
    cache.set(KEY.format(name=name), time.time_ns(), None)


def bump(name):
    """A new version now, and again on commit: no reader keeps the state before the commit."""
    _new(name)
    transaction.on_commit(lambda: _new(name))


def current(*names):
    """The versions of `names`, in one cache read (a missing one is created)."""
    keys = [KEY.format(name=name) for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
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


def remember(key, names, compute, timeout):
    """`compute()`, kept under `key` until one of the versions `names` changes.

    Inside a transaction the value is computed and not kept: it may read rows that a
    rollback will take back, under a version that nothing would bump again.
    """
    if in_transaction():
        return compute()
    keys = [KEY.format(name=name) for name in names]
    found = cache.get_many([*keys, key])
    stored = found.get(key)
    if stored is not None and stored[0] == tuple(found.get(k) for k in keys):
        return stored[1]
    versions = current(*names)
    value = compute()
    cache.set(key, (versions, value), timeout)
    return value
