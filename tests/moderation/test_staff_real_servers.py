"""Sanctions on a real Daphne process: blocking closes the member's sockets with 4403 within a
second, ends their sessions and refuses their next login; unblocking restores access."""

import asyncio
import time
import urllib.error

import pytest
from websockets.exceptions import ConnectionClosed

from tests.chat.live import Browser, find
from tests.conftest import DEMO_PASSWORD, MEMBER_PASSWORD

pytestmark = pytest.mark.server


async def test_blocking_closes_open_sockets_within_a_second_and_unblocking_restores_access(
    live_site,
):
    member_id = live_site.add_member("to-be-blocked")
    child = Browser(live_site.url).log_in("to-be-blocked", MEMBER_PASSWORD)
    moderator = Browser(live_site.url).log_in("demo-moderator", DEMO_PASSWORD)
    async with (
        child.websocket("/ws/rooms/general/") as room,
        child.websocket("/ws/queue/") as queue,
    ):
        await asyncio.sleep(0.3)  # both sockets are open and joined
        started = time.monotonic()
        await asyncio.to_thread(moderator.post, f"/moderation/members/{member_id}/sanction/",
                                {"kind": "block", "reason": "Bullying others."})  # fmt: skip
        for socket in (room, queue):
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(socket.recv(), timeout=1.5)
        elapsed = time.monotonic() - started
        assert room.close_code == 4403 and queue.close_code == 4403
        assert elapsed < 1.0 + 0.5, elapsed  # the POST itself included; closing took < 1 s
    # Their session is over, and logging in again is refused kindly.
    _, landed, _ = child.get("/chat/")
    assert "/accounts/login/" in landed or "/moderation/blocked/" in landed
    with pytest.raises(AssertionError):
        Browser(live_site.url).log_in("to-be-blocked", MEMBER_PASSWORD)
    _, _, page = Browser(live_site.url).post(
        "/accounts/login/", {"username": "to-be-blocked", "password": MEMBER_PASSWORD}
    )
    assert "A moderator has stopped your account" in page
    # Unblocking restores access.
    moderator.post(f"/moderation/members/{member_id}/lift/", {"kind": "block", "reason": "Ok."})
    again = Browser(live_site.url).log_in("to-be-blocked", MEMBER_PASSWORD)
    assert again.get("/chat/")[0] == 200
    assert find(r"(Hi, to-be-blocked)", again.get("/chat/")[2])


def test_a_moderator_page_is_refused_to_a_child_on_the_real_server(live_site):
    child = Browser(live_site.url).log_in("demo-child2", DEMO_PASSWORD)
    with pytest.raises(urllib.error.HTTPError) as refused:
        child.get("/moderation/")
    assert refused.value.code == 403
