"""Versions known without a round trip: Redis tells each process when one changes.

These tests talk to the Redis server that production uses (127.0.0.1:6379, as in CI),
in a database of their own.
"""

import socket
import time

import pytest
import redis
from django.core.cache import caches

from qmi.core import versions
from qmi.core.cache import Tracker

URL = "redis://127.0.0.1:6379/14"
PREFIX = "qmi-test-tracker:"


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_answers(),
    reason="Redis ne répond pas sur 127.0.0.1:6379 (apt-get install redis-server)",
)


@pytest.fixture
def other_process():
    """Another server's connection: what it writes, this process did not."""
    client = redis.Redis.from_url(URL)
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def tracker():
    tracker = Tracker(URL, PREFIX)
    assert tracker.intact() is False  # connecting: nothing read before may be trusted
    yield tracker
    tracker.close()


def test_nothing_written_keeps_what_was_read(tracker):
    assert tracker.intact() is True
    assert tracker.intact() is True


def test_a_write_under_the_prefix_by_another_process_is_told_once(tracker, other_process):
    assert tracker.intact() is True
    other_process.set(PREFIX + "programme-content", 2)
    assert _eventually_not_intact(tracker)
    assert tracker.intact() is True


def test_a_write_elsewhere_changes_nothing(tracker, other_process):
    assert tracker.intact() is True
    other_process.set("qmi-test-elsewhere", 1)
    other_process.ping()  # the server handled the write before this answer
    assert tracker.intact() is True


def test_a_lost_connection_is_never_taken_for_silence(tracker, other_process):
    assert tracker.intact() is True
    other_process.client_kill_filter(addr=_address(tracker))
    assert _eventually_not_intact(tracker)


def test_a_forked_process_does_not_trust_its_parents_connection(tracker):
    assert tracker.intact() is True
    tracker.pid = -1  # as gunicorn's workers see it after the fork
    assert tracker.intact() is False


def test_an_unusable_address_means_reading_every_time():
    assert Tracker("rediss://127.0.0.1:6379/0", PREFIX).intact() is False
    refused = Tracker("redis://127.0.0.1:1/0", PREFIX)
    assert refused.intact() is False
    assert refused.intact() is False


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "qmi.core.cache.RedisCache", "LOCATION": URL},
    }
    cache = caches["default"]
    cache.clear()
    versions._known.clear()
    yield cache
    cache.clear()
    versions._known.clear()


@pytest.mark.django_db
def test_a_bump_by_another_server_is_seen_on_the_next_read(redis_cache, other_process):
    first = versions.current("test-tracked")
    versions.current("test-tracked")  # the tracker is up now
    assert versions.current("test-tracked") == first
    assert "versions:test-tracked" in versions._known  # read once, then known here
    # Another server bumps it (Django's Redis cache stores an integer as it is).
    other_process.set(redis_cache.make_and_validate_key("versions:test-tracked"), 7)
    assert _eventually(lambda: versions.current("test-tracked") == (7,))


def _eventually_not_intact(tracker):
    return _eventually(lambda: not tracker.intact())


def _eventually(check, attempts=200):
    """Redis pushes the message after answering the writer: allow it a moment to arrive."""
    for _ in range(attempts):
        if check():
            return True
        time.sleep(0.005)
    return False


def _address(tracker):
    host, port = tracker.sock.getsockname()[:2]
    return f"{host}:{port}"
