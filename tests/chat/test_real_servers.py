"""The chat on a real Daphne process (tests.conftest ``live_site``), driven by the
``websockets`` client library the way a browser would: session cookie and Origin header."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.chat.live import Browser, find, message_tag, next_frame
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.server


def logged_in(site, username: str) -> Browser:
    return Browser(site.url).log_in(username, DEMO_PASSWORD)


async def send(socket, text: str) -> str:
    client_id = uuid.uuid4().hex
    await socket.send(f'{{"type": "message", "text": "{text}", "client_id": "{client_id}"}}')
    return client_id


async def test_a_client_that_loses_its_connection_and_resumes_misses_nothing(live_site):
    child, mentor = logged_in(live_site, "demo-child"), logged_in(live_site, "demo-mentor")
    tag = message_tag()
    async with child.websocket("/ws/rooms/general/") as amy:
        mia = await mentor.websocket("/ws/rooms/general/").__aenter__()
        await send(amy, f"before {tag}")
        seen = await next_frame(mia)
        assert seen["text"] == f"before {tag}"
        mia.transport.abort()  # the mentor's wifi drops: no closing handshake
        sent_while_away = [f"away {number} {tag}" for number in range(3)]
        for text in sent_while_away:
            await send(amy, text)
        for _ in sent_while_away:
            await next_frame(amy)  # stored and echoed
        async with mentor.websocket("/ws/rooms/general/") as again:
            await again.send(f'{{"type": "resume", "after": {seen["id"]}}}')
            resumed = [await next_frame(again) for _ in sent_while_away]
            assert [frame["text"] for frame in resumed] == sent_while_away
            ids = [frame["id"] for frame in resumed]
            assert ids == sorted(set(ids)) and ids[0] > seen["id"]
            # Live again: the next message arrives once.
            await send(amy, f"after {tag}")
            assert (await next_frame(again))["text"] == f"after {tag}"
            with pytest.raises(asyncio.TimeoutError):
                await next_frame(again, timeout=0.5)


async def test_a_message_resent_after_a_lost_connection_is_stored_once(live_site):
    child = logged_in(live_site, "demo-child2")
    frame = f'{{"type": "message", "text": "once only", "client_id": "{uuid.uuid4().hex}"}}'
    async with child.websocket("/ws/rooms/general/") as first:
        await first.send(frame)
        stored = await next_frame(first)
    async with child.websocket("/ws/rooms/general/") as second:
        await second.send(frame)
        assert await next_frame(second) == stored


async def test_a_foreign_origin_is_refused(live_site):
    child = logged_in(live_site, "demo-child")
    with pytest.raises(InvalidStatus) as refused:
        async with child.websocket("/ws/rooms/general/", origin="http://evil.example.com"):
            pass
    assert refused.value.response.status_code == 403


async def test_an_anonymous_socket_is_closed_with_4401(live_site):
    async with Browser(live_site.url).websocket("/ws/rooms/general/") as socket:
        with pytest.raises(ConnectionClosed):
            await socket.recv()
    assert socket.close_code == 4401


async def test_another_childs_bubble_is_refused_with_4403(live_site):
    child, mentor = logged_in(live_site, "demo-child"), logged_in(live_site, "demo-child2")
    helper = logged_in(live_site, "demo-mentor")
    child.post("/chat/bubbles/request/")
    _, _, lobby = helper.get("/chat/")
    request_id = find(r'data-request-id="(\d+)"', lobby)
    _, landed, _ = helper.post(f"/chat/bubbles/requests/{request_id}/accept/")
    bubble_id = find(r"/chat/bubbles/(\d+)/$", landed)
    try:
        async with mentor.websocket(f"/ws/bubbles/{bubble_id}/") as socket:
            with pytest.raises(ConnectionClosed):
                await socket.recv()
        assert socket.close_code == 4403
        async with child.websocket(f"/ws/bubbles/{bubble_id}/") as own:
            await send(own, "hello mentor")
            assert (await next_frame(own))["author"] == "demo-child"
    finally:
        child.post(f"/chat/bubbles/{bubble_id}/end/")
