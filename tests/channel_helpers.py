"""Helpers for tests of the channel layer and of sockets through the whole ASGI application."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.test import Client


async def receives_nothing(layer, channel: str, timeout: float = 0.1) -> bool:
    """True if nothing arrives on ``channel`` within ``timeout`` seconds."""
    try:
        await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return True
    return False


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def session_cookie(user) -> str:
    """A real session for ``user``, as the login page would leave it in the browser."""
    return await sync_to_async(_session_cookie)(user)


async def member_headers(user, origin: bytes = b"http://127.0.0.1:8000") -> list:
    """Handshake headers of a browser on our own site (127.0.0.1:8000), on a page of
    ``origin``, logged in as ``user`` (None: anonymous)."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", origin)]
    if user is not None:
        headers.append((b"cookie", b"sessionid=" + (await session_cookie(user)).encode()))
    return headers
