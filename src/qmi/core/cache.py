"""Django's Redis cache, with one client per connection pool instead of one per call.

Why: Django's RedisCacheClient builds a new redis.Redis object for every cache call,
which registers all its response callbacks each time (about 0.2 ms); a served public
page costs one cache read, so that was a fifth of its time. Clients are thread-safe
and share their pool's connections, so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
