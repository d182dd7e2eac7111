"""Who is at the other end of a websocket: found once, from the session cookie, at the handshake.

Channels' ``AuthMiddlewareStack`` finds the member the same way (``channels.auth.get_user``:
the session's user, checked against the session hash, anonymous otherwise), but it leaves a
lazy session and a lazy user in the scope and wraps every frame the server sends, to save the
session if it changed. A websocket cannot set a cookie after its handshake and no socket here
writes to the session, so that wrapper did nothing but cost time on each of the thousands of
frames a second a busy room sends, and every ``scope["user"]`` attribute went through a proxy.

``member_stack`` puts the real session and the real member in the scope and passes ``send``
through untouched.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib import auth

from .roles import Member


def _find_member(session: Any) -> tuple[Any, Member | None]:
    """In the database thread, in one trip: the session's user, checked as Django checks it
    for a request (session hash included), and their ``Member`` value."""
    user = auth.get_user(SimpleNamespace(session=session))
    return user, (Member.of(user) if user.is_authenticated else None)


class MemberMiddleware:
    """Sets ``scope["session"]``, ``scope["session_key"]``, ``scope["user"]`` (``AnonymousUser``
    when not logged in) and ``scope["member"]`` (the ``Member`` with its roles, or None)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if "cookies" not in scope:
            raise ValueError("MemberMiddleware must run inside CookieMiddleware.")
        store = import_module(settings.SESSION_ENGINE).SessionStore
        scope = dict(scope, session=store(scope["cookies"].get(settings.SESSION_COOKIE_NAME)))
        # One trip to the database thread: the session loads there, on first use.
        scope["user"], scope["member"] = await database_sync_to_async(_find_member)(
            scope["session"]
        )
        scope["session_key"] = scope["session"].session_key if scope["member"] else None
        return await self.inner(scope, receive, send)


def member_stack(inner: Any) -> CookieMiddleware:
    """Cookies, then the member: what every websocket route is wrapped in."""
    return CookieMiddleware(MemberMiddleware(inner))
