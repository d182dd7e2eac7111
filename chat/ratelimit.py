"""The chat's rate limit: at most ``CHAT_RATE_LIMIT_MESSAGES`` messages from one member in any
``CHAT_RATE_LIMIT_SECONDS`` (a sliding window), across all of their sockets.

With Redis (``REDIS_URL``) the window is a sorted set in Redis, checked and updated by one Lua
script: one round trip per message, and atomic, so two sockets of one member on two Daphne
processes cannot both slip past the limit (reading the window and writing it back in two
steps could). The script takes the time from Redis, so every process uses the same clock.

Embedded, there is a single Daphne process and messages are stored one at a time in its
database thread, so the window lives in that process's memory (the ``ratelimit`` cache).
"""

from __future__ import annotations

import secrets
import threading
import time

import redis
from django.conf import settings
from django.core.cache import caches

KEY_PREFIX = "minimentors:chat-rate:"

# KEYS[1] the member's window; ARGV: window seconds, limit, a token that makes the entry unique.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local window = tonumber(ARGV[1]) * 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 1000 + 1000)
return 1
"""

_lock = threading.Lock()
_script: redis.commands.core.Script | None = None


def _redis_script() -> redis.commands.core.Script:
    """The script, on this process's connection pool (safe to share between threads)."""
    global _script
    if _script is None:
        with _lock:
            if _script is None:
                _script = redis.Redis.from_url(settings.REDIS_URL).register_script(_TAKE)
    return _script


def take(member_id: int) -> bool:
    """Count one message for ``member_id``; False (and nothing counted) when over the limit."""
    window = settings.CHAT_RATE_LIMIT_SECONDS
    limit = settings.CHAT_RATE_LIMIT_MESSAGES
    if settings.REDIS_URL:
        keys = [f"{KEY_PREFIX}{member_id}"]
        return bool(_redis_script()(keys=keys, args=[window, limit, secrets.token_hex(4)]))
    cache = caches["ratelimit"]
    key = f"chat:rate:{member_id}"
    now = time.time()
    stamps = [stamp for stamp in cache.get(key, []) if stamp > now - window]
    if len(stamps) >= limit:
        return False
    stamps.append(now)
    cache.set(key, stamps, timeout=window + 1)
    return True


def reset() -> None:
    """Forget every member's window (each test starts with none)."""
    if settings.REDIS_URL:
        client = _redis_script().registered_client
        keys = list(client.scan_iter(match=f"{KEY_PREFIX}*"))
        if keys:
            client.delete(*keys)
    else:
        caches["ratelimit"].clear()
