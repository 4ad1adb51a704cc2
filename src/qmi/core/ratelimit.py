"""Fixed-window counters in the cache, for public forms that anyone may post.

The cache is shared by every web process (database or Redis), so a limit holds
across gunicorn workers and hosts. Keys are hashed: no address or e-mail is
kept in clear in the cache.
"""

import hashlib

from django.core.cache import cache


def allow(scope, key, *, limit, period):
    """Count one attempt of `key` in `scope`; False once more than `limit` in `period` seconds."""
    cache_key = f"qmi-ratelimit:{scope}:{hashlib.sha256(str(key).encode()).hexdigest()}"
    if cache.add(cache_key, 1, timeout=period):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=period)
        count = 1
    return count <= limit
