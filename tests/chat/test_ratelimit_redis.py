"""The chat's rate limit on a real redis-server (``python -m tests.services pytest -m scale``):
one window per member for every process, checked and counted in one atomic step."""

from __future__ import annotations

import os
import threading
import time

import pytest
import redis

from chat import ratelimit

pytestmark = pytest.mark.scale

MEMBER = 987_654


@pytest.fixture
def client() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REDIS_URL"])


def test_many_sockets_of_one_member_at_once_get_exactly_the_limit(settings, client):
    settings.CHAT_RATE_LIMIT_MESSAGES = 5
    settings.CHAT_RATE_LIMIT_SECONDS = 30
    start = threading.Barrier(8)
    results: list[bool] = []

    def sender() -> None:
        start.wait()
        for _ in range(4):
            results.append(ratelimit.take(MEMBER))

    threads = [threading.Thread(target=sender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(True) == 5 and len(results) == 32
    key = f"{ratelimit.KEY_PREFIX}{MEMBER}"
    assert client.zcard(key) == 5  # refused messages are not counted
    assert 30_000 < client.pttl(key) <= 31_000  # the window cleans itself up


def test_the_window_slides_on_the_redis_clock(settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 1
    settings.CHAT_RATE_LIMIT_SECONDS = 1
    assert ratelimit.take(MEMBER)
    assert not ratelimit.take(MEMBER)
    assert ratelimit.take(MEMBER + 1)  # someone else has their own window
    time.sleep(1.1)
    assert ratelimit.take(MEMBER)


def test_reset_forgets_every_window_and_nothing_else(settings, client):
    settings.CHAT_RATE_LIMIT_MESSAGES = 1
    client.set("minimentors:other", "kept")
    assert ratelimit.take(MEMBER)
    ratelimit.reset()
    assert ratelimit.take(MEMBER)
    assert client.get("minimentors:other") == b"kept"
    client.delete("minimentors:other")
