"""Counting tries: at most ``limit`` in each ``window`` seconds, per scope and key.

Used where a person could guess or flood (wrong passwords from one address, join codes, the
forms members send). Each window is fixed (it starts on a multiple of its length), which is
simple and good enough for forms; the chat's own sliding window is ``chat.ratelimit``.

With Redis the counts live in Redis (INCR, shared by every Daphne process). Embedded, there is
one Daphne process, so its memory (the ``ratelimit`` cache) holds them.
Keys are hashed, so a name or an address never sits in the cache as typed.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache import caches

KEY_PREFIX = "minimentors:throttle:"

_lock = threading.Lock()
_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client


def _key(scope: str, key: str, window: int) -> str:
    digest = hashlib.sha256(f"{scope}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"{KEY_PREFIX}{scope}:{digest[:32]}:{int(time.time() // window)}"


def count(scope: str, key: str, *, window: int) -> int:
    """How many tries ``key`` has made in ``scope`` in this window."""
    name = _key(scope, key, window)
    if settings.REDIS_URL:
        stored: Any = _redis().get(name)  # bytes or None (a sync client)
        return int(stored or 0)
    return int(caches["ratelimit"].get(name, 0))


def hit(scope: str, key: str, *, window: int) -> int:
    """Count one try; returns the count so far in this window (this one included)."""
    name = _key(scope, key, window)
    if settings.REDIS_URL:
        pipe = _redis().pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 1)
        return int(pipe.execute()[0])
    cache = caches["ratelimit"]
    with _lock:
        cache.add(name, 0, timeout=window + 1)
        return int(cache.incr(name))


def take(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one try unless ``key`` already made ``limit`` in this window: False (and nothing
    counted) when over the limit."""
    if count(scope, key, window=window) >= limit:
        return False
    hit(scope, key, window=window)
    return True


def reset() -> None:
    """Forget every count (each test starts with none)."""
    if settings.REDIS_URL:
        client = _redis()
        keys = list(client.scan_iter(match=f"{KEY_PREFIX}*"))
        if keys:
            client.delete(*keys)
    else:
        caches["ratelimit"].clear()
