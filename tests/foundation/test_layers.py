"""The embedded channel layer and the lighter dispatch loop of chat sockets
(``minimentors.layers``): same contract as Channels' in-memory layer and dispatch loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator

from minimentors import layers
from minimentors.layers import DirectDispatch, EmbeddedChannelLayer, _dispatch_all
from tests.channel_helpers import receives_nothing

GROUP = "chat.room.7"


async def received(layer, channel: str, timeout: float = 1) -> dict:
    return await asyncio.wait_for(layer.receive(channel), timeout)


# --- EmbeddedChannelLayer ----------------------------------------------------------------------


async def test_a_full_socket_is_logged_with_its_group_and_the_others_still_get_the_event(caplog):
    layer = EmbeddedChannelLayer(capacity=1)
    full, fine = "specific.full!a", "specific.fine!b"
    await layer.group_add(GROUP, full)
    await layer.group_add(GROUP, fine)
    await layer.send(full, {"type": "chat.message", "n": 0})  # fills its queue of one

    with caplog.at_level(logging.ERROR, logger="minimentors.layers"):
        await layer.group_send(GROUP, {"type": "chat.message", "n": 1})

    assert (await received(layer, fine))["n"] == 1
    [record] = [r for r in caplog.records if r.name == "minimentors.layers"]
    assert record.levelno == logging.ERROR
    assert GROUP in record.getMessage() and "chat.message" in record.getMessage()
    # The full socket kept what it had and missed only the event it had no room for.
    assert (await received(layer, full))["n"] == 0
    assert await receives_nothing(layer, full)


async def test_a_group_send_that_reaches_every_socket_logs_nothing(caplog):
    layer = EmbeddedChannelLayer()
    await layer.group_add(GROUP, "specific.one!a")
    with caplog.at_level(logging.DEBUG, logger="minimentors.layers"):
        await layer.group_send(GROUP, {"type": "chat.message"})
    assert [r for r in caplog.records if r.name == "minimentors.layers"] == []


async def test_an_expired_message_is_not_received(monkeypatch):
    monkeypatch.setattr(layers, "CLEAN_EVERY", 0)
    layer = EmbeddedChannelLayer(expiry=0.05)
    await layer.group_add(GROUP, "specific.late!a")
    await layer.group_send(GROUP, {"type": "chat.message", "n": "stale"})
    await asyncio.sleep(0.1)
    assert await receives_nothing(layer, "specific.late!a")
    # Channels' rule: a socket whose message expired is no longer in its groups.
    await layer.group_send(GROUP, {"type": "chat.message", "n": "next"})
    assert await receives_nothing(layer, "specific.late!a")
    # A message that has not expired yet is still delivered.
    await layer.send("specific.late!a", {"type": "chat.message", "n": "fresh"})
    assert (await received(layer, "specific.late!a"))["n"] == "fresh"


async def test_expired_messages_are_cleaned_at_most_once_per_clean_every(monkeypatch):
    cleans = []
    real_clean = InMemoryChannelLayer._clean_expired

    def counting_clean(self):
        cleans.append(1)
        real_clean(self)

    monkeypatch.setattr(InMemoryChannelLayer, "_clean_expired", counting_clean)
    monkeypatch.setattr(layers, "CLEAN_EVERY", 0.3)
    layer = EmbeddedChannelLayer()
    await layer.group_add(GROUP, "specific.one!a")
    for _ in range(20):
        await layer.group_send(GROUP, {"type": "chat.message"})
    assert len(cleans) == 1
    await asyncio.sleep(0.35)
    await layer.group_send(GROUP, {"type": "chat.message"})
    assert len(cleans) == 2


async def test_changing_the_event_after_group_send_does_not_change_what_sockets_receive():
    layer = EmbeddedChannelLayer()
    await layer.group_add(GROUP, "specific.one!a")
    await layer.group_add(GROUP, "specific.two!b")
    event = {"type": "chat.message", "frame": {"text": "hello", "tags": ["a"]}}
    await layer.group_send(GROUP, event)
    event["frame"]["text"] = "changed"
    event["frame"]["tags"].append("b")
    event["extra"] = True

    one = await received(layer, "specific.one!a")
    two = await received(layer, "specific.two!b")
    expected = {"type": "chat.message", "frame": {"text": "hello", "tags": ["a"]}}
    assert one == expected and two == expected


async def test_group_send_to_an_empty_or_unknown_group_does_nothing():
    layer = EmbeddedChannelLayer()
    await layer.group_add("chat.room.other", "specific.other!a")
    await layer.group_add(GROUP, "specific.gone!b")
    await layer.group_discard(GROUP, "specific.gone!b")  # GROUP is now empty

    await layer.group_send(GROUP, {"type": "chat.message"})
    await layer.group_send("chat.room.unknown", {"type": "chat.message"})

    assert layer.channels == {}
    assert await receives_nothing(layer, "specific.other!a")
    assert await receives_nothing(layer, "specific.gone!b")


# --- _dispatch_all and DirectDispatch -----------------------------------------------------------


class TinySocket(DirectDispatch, AsyncJsonWebsocketConsumer):
    """Echoes browser frames and ``tiny.event`` group events, tagged with their source."""

    groups = ["tiny"]

    async def receive_json(self, content, **kwargs):
        await self.send_json({"from": "browser", "n": content["n"]})

    async def tiny_event(self, event):
        await self.send_json({"from": "layer", "n": event["n"]})

    async def tiny_close(self, event):
        await self.close(code=event["code"])


@pytest.fixture
def fresh_layer(settings):
    """A new embedded layer for this test (Channels drops its layers when the setting changes)."""
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "minimentors.layers.EmbeddedChannelLayer", "CONFIG": {}}
    }
    return get_channel_layer()


def other_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


# Channels' websocket_disconnect closes old database connections: allow the database.
@pytest.mark.django_db(transaction=True)
async def test_a_direct_dispatch_socket_handles_browser_frames_and_group_events_in_order(
    fresh_layer,
):
    communicator = WebsocketCommunicator(TinySocket.as_asgi(), "/ws/tiny/")
    connected, _ = await communicator.connect()
    assert connected
    for n in (1, 2, 3):
        await communicator.send_json_to({"n": n})
        await fresh_layer.group_send("tiny", {"type": "tiny.event", "n": n * 10})

    replies = [await communicator.receive_json_from(timeout=1) for _ in range(6)]
    assert [r["n"] for r in replies if r["from"] == "browser"] == [1, 2, 3]
    assert [r["n"] for r in replies if r["from"] == "layer"] == [10, 20, 30]
    assert await communicator.receive_nothing(timeout=0.1)

    await communicator.disconnect()  # waits for the consumer to return
    assert fresh_layer.groups.get("tiny") in (None, {})
    assert other_tasks() == []


# Channels' websocket_disconnect closes old database connections: allow the database.
@pytest.mark.django_db(transaction=True)
async def test_a_direct_dispatch_socket_closed_by_the_server_ends_cleanly(fresh_layer):
    communicator = WebsocketCommunicator(TinySocket.as_asgi(), "/ws/tiny/")
    connected, _ = await communicator.connect()
    assert connected
    await fresh_layer.group_send("tiny", {"type": "tiny.close", "code": 4000})
    output = await communicator.receive_output(timeout=1)
    assert output["type"] == "websocket.close" and output["code"] == 4000
    await communicator.send_input({"type": "websocket.disconnect", "code": 4000})
    await communicator.wait(timeout=1)  # raises if the consumer is still running or failed
    assert other_tasks() == []


async def test_dispatch_all_stops_when_the_handler_raises_and_cancels_its_readers():
    browser: asyncio.Queue[dict] = asyncio.Queue()
    handled = []

    async def dispatch(message):
        handled.append(message["n"])
        if message["n"] == 2:
            raise RuntimeError("handler failed")

    async def never():
        await asyncio.Event().wait()
        return {}

    for n in (1, 2, 3):
        browser.put_nowait({"n": n})
    with pytest.raises(RuntimeError, match="handler failed"):
        await asyncio.wait_for(_dispatch_all([browser.get, never], dispatch), 1)
    assert handled == [1, 2]
    assert other_tasks() == []


async def test_dispatch_all_ends_when_a_source_fails_instead_of_going_deaf_to_it():
    """Channels' loop (``await_many_dispatch``) ends the consumer as soon as a source raises
    (say the Redis layer's ``receive`` loses its connection), so the socket closes and the
    browser reconnects. A loop that carries on would leave the socket open but deaf to every
    group event (room messages, ``chat.close`` for a blocked member) until it disconnects."""
    browser: asyncio.Queue[dict] = asyncio.Queue()

    async def broken_layer_receive():
        raise ConnectionError("channel layer lost its connection")

    async def dispatch(message):
        pass

    loop = asyncio.create_task(_dispatch_all([browser.get, broken_layer_receive], dispatch))
    try:
        await asyncio.sleep(0.3)
        assert loop.done(), "the dispatch loop kept running after its channel-layer source failed"
        with pytest.raises(ConnectionError):
            loop.result()
    finally:
        loop.cancel()
        with contextlib.suppress(BaseException):
            await loop
