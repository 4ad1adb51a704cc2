"""Django's Redis cache, with one client per connection pool, and a tracker of versions.

Why: Django's RedisCacheClient builds a new redis.Redis object for every cache call,
which registers all its response callbacks each time (about 0.2 ms); a served public
page costs one cache read, so that was a fifth of its time. Clients are thread-safe
and share their pool's connections, so one per pool is enough. `Tracker` lets each
process know the versions of core.versions without asking Redis on every request.
"""

import contextlib
import os
import socket
import threading
import time
import urllib.parse

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
        self._trackers = {}

    def tracker(self, prefix):
        """A Tracker of the keys under `prefix` (a key as given to this cache)."""
        if prefix not in self._trackers:
            self._trackers[prefix] = Tracker(self._servers[0], self.make_and_validate_key(prefix))
        return self._trackers[prefix]


class Tracker:
    """Told by Redis when a key under `prefix` is written (client-side caching).

    Why: every page checks the versions of what it shows (core.versions), and reading
    them from Redis is a round trip per request: on a page served from the cache, most
    of its time. With tracking in broadcast mode, Redis pushes a message on this
    connection whenever a key under the prefix changes, so a process may keep the
    versions it read until a message comes. `intact()` answers whether nothing came
    since it last answered True: any byte on the connection, an error, a closed
    connection or a new process (gunicorn forks) answers False, and the caller reads
    again. Nothing is parsed after the handshake: every message means "read again".
    """

    RETRY_SECONDS = 5

    def __init__(self, url, prefix):
        parts = urllib.parse.urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.username = urllib.parse.unquote(parts.username or "") or "default"
        self.password = urllib.parse.unquote(parts.password or "")
        self.prefix = prefix
        self.usable = parts.scheme == "redis"  # rediss:// and sockets: read every time
        self.sock = None
        self.pid = None
        self.failed_at = 0.0
        self.lock = threading.Lock()  # the development server answers in threads

    def intact(self):
        if not self.usable:
            return False
        with self.lock:
            return self._intact()

    def _intact(self):
        if self.sock is not None and self.pid == os.getpid():
            try:
                if self.sock.recv(65536):
                    self._drain()
                    return False
            except BlockingIOError:
                return True  # nothing came: what was read is still current
            except OSError:
                pass
            self.close()  # closed or broken
            return False
        self.sock = None  # a forked process never reads its parent's connection
        if time.monotonic() - self.failed_at > self.RETRY_SECONDS:
            self._connect()
        return False

    def _drain(self):
        try:
            while self.sock.recv(65536):
                pass
            self.close()  # recv answered b"": closed
        except BlockingIOError:
            pass
        except OSError:
            self.close()

    def _connect(self):
        hello = ["HELLO", "3"]
        if self.password:
            hello += ["AUTH", self.username, self.password]
        sock = None
        try:
            sock = socket.create_connection(self.address, timeout=1)
            reader = _Reply(sock)
            sock.sendall(
                _command(*hello)
                + _command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", self.prefix)
            )
            reader.read()
            if reader.read() != b"OK":
                raise OSError("CLIENT TRACKING refused")
        except (OSError, ValueError):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
            self.failed_at = time.monotonic()
            return
        sock.setblocking(False)
        self.sock, self.pid = sock, os.getpid()

    def close(self):
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
        self.sock = None


def _command(*words):
    encoded = [word.encode() for word in words]
    return b"".join(
        [f"*{len(encoded)}\r\n".encode()]
        + [b"$%d\r\n%s\r\n" % (len(word), word) for word in encoded]
    )


class _Reply:
    """Reads one RESP3 value (the handshake's answers); an error reply raises OSError."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise OSError("connection closed")
        self.buffer += chunk

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._more()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, size):
        while len(self.buffer) < size + 2:
            self._more()
        data, self.buffer = self.buffer[:size], self.buffer[size + 2 :]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"-", b"!"):
            raise OSError(rest if kind == b"-" else self._exact(int(rest)))
        if kind in (b"+", b":", b",", b"#", b"("):
            return rest
        if kind == b"_":
            return None
        if kind in (b"$", b"="):
            return None if int(rest) < 0 else self._exact(int(rest))
        if kind in (b"*", b"~", b">"):
            return [self.read() for _ in range(max(int(rest), 0))]
        if kind in (b"%", b"|"):
            return [(self.read(), self.read()) for _ in range(int(rest))]
        raise ValueError(f"unexpected reply {line[:20]!r}")
