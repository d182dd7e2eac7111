"""Finding a websocket's member at the handshake (``minimentors.ws_auth``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.utils import timezone

from minimentors.models import User
from minimentors.ws_auth import MemberMiddleware, member_stack
from tests.channel_helpers import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def sync(function, *args):
    return await sync_to_async(function)(*args)


class Inner:
    """An application that records what the middleware handed it."""

    def __init__(self) -> None:
        self.scope: dict | None = None
        self.send = None

    async def __call__(self, scope, receive, send):
        self.scope, self.send = scope, send


async def handshake(cookie: str | None) -> Inner:
    inner = Inner()
    headers = [(b"cookie", f"sessionid={cookie}".encode())] if cookie else []

    async def send(message):  # pragma: no cover - never called by the middleware
        raise AssertionError("the middleware must not send anything itself")

    await member_stack(inner)({"type": "websocket", "headers": headers}, None, send)
    inner.original_send = send
    return inner


async def test_a_logged_in_member_is_found_as_a_real_user_and_send_is_not_wrapped(child):
    cookie = await session_cookie(child)

    inner = await handshake(cookie)

    user = inner.scope["user"]
    assert type(user) is User  # not a lazy proxy: attributes cost nothing per frame
    assert user.pk == child.pk
    assert inner.scope["session"].session_key == cookie
    assert inner.send is inner.original_send


async def test_no_cookie_and_an_unknown_cookie_are_anonymous():
    assert isinstance((await handshake(None)).scope["user"], AnonymousUser)
    assert isinstance((await handshake("not-a-real-session")).scope["user"], AnonymousUser)


async def test_an_expired_session_is_anonymous(child):
    cookie = await session_cookie(child)
    await sync(
        lambda: Session.objects.filter(session_key=cookie).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
    )

    assert isinstance((await handshake(cookie)).scope["user"], AnonymousUser)


async def test_a_password_change_logs_the_socket_out_and_ends_the_session(child):
    cookie = await session_cookie(child)

    def change_password():
        child.set_password("a-brand-new-password-1937")
        child.save()

    await sync(change_password)

    assert isinstance((await handshake(cookie)).scope["user"], AnonymousUser)
    assert not await sync(lambda: Session.objects.filter(session_key=cookie).exists())


async def test_a_scope_without_cookies_is_a_wiring_mistake():
    with pytest.raises(ValueError, match="CookieMiddleware"):
        await MemberMiddleware(Inner())({"type": "websocket"}, None, None)
