"""What a process keeps in its own memory: a bounded store, least recently used out first.

Why: pages and values kept between requests (core.public_cache, core.kept_pages,
core.versions.remember) are checked against the versions of what they show; once the
versions are known without a round trip (core.cache.Tracker), reading the kept copy
from Redis became most of a cached answer's time. A copy in the process is as good
as one in Redis for pages kept per process anyway, and for values it saves the read.
"""

import time
from collections import OrderedDict

from django.core.signals import setting_changed

_stores = []


class Memory:
    def __init__(self, size):
        self.size = size
        self._items = OrderedDict()
        _stores.append(self)

    def get(self, key):
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] < time.monotonic():
            self._items.pop(key, None)
            return None
        self._items.move_to_end(key)
        return item[1]

    def set(self, key, value, timeout):
        self._items[key] = (time.monotonic() + timeout, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self):
        self._items.clear()


def _forget_all(**_kwargs):
    # Tests change settings between two requests, as a deploy does between two processes.
    for store in _stores:
        store.clear()


setting_changed.connect(_forget_all, dispatch_uid="qmi-memory-settings")
