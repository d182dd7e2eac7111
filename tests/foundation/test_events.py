"""The one event path: after commit only, in order, from any thread or process."""

from __future__ import annotations

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from minimentors import events
from minimentors.models import OutboxEvent
from tests.channel_helpers import receives_nothing

pytestmark = pytest.mark.django_db(transaction=True)

ROOM = events.group_name("room", 1)
USER = events.group_name("user", 2)


@pytest.fixture
def layer(settings):
    """A new embedded layer for this test (Channels drops its layers when the setting changes)."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "minimentors.layers.EmbeddedChannelLayer", "CONFIG": {}}
    }
    return get_channel_layer()


async def listening(layer, *groups: str) -> str:
    channel = await layer.new_channel()
    for group in groups:
        await layer.group_add(group, channel)
    return channel


def message_event(n: int) -> dict:
    return {"type": "chat.message", "frame": {"type": "message", "id": n}}


def test_group_names_come_from_one_place():
    assert events.group_name("room", 7) == "mm.room.7"
    with pytest.raises(ValueError):
        events.group_name("nonsense", 1)


def test_capture_events_sees_what_commits_and_nothing_that_rolls_back():
    with events.capture_events() as sent:
        with transaction.atomic():
            events.send_event_on_commit(message_event(1), [ROOM])
            events.send_event_on_commit(lambda: {"type": "chat.presence"}, [ROOM, USER])
        with pytest.raises(RuntimeError), transaction.atomic():
            events.send_event_on_commit(message_event(99), [ROOM])
            raise RuntimeError("rolled back")
    assert [(e.groups, e.event["type"]) for e in sent] == [
        ((ROOM,), "chat.message"),
        ((ROOM, USER), "chat.presence"),
    ]
    assert sent[0].event["text"] == '{"type": "message", "id": 1}'  # encoded once


async def test_events_committed_in_the_database_thread_are_sent_from_the_loop_in_order(layer):
    channel = await listening(layer, ROOM)
    events.serve_events_here()
    delivery = events.Delivery()

    def commit_three() -> None:
        for n in range(3):
            with transaction.atomic():
                events.send_event_on_commit(message_event(n), [ROOM], delivery)

    await database_sync_to_async(commit_three)()
    await events.flushed()
    received = [(await layer.receive(channel))["frame"]["id"] for _ in range(3)]
    assert received == [0, 1, 2] and delivery.ok


async def test_a_failed_group_is_logged_and_reported_and_the_rest_still_go(
    layer, monkeypatch, caplog
):
    channel = await listening(layer, USER)
    real_send = layer.group_send

    async def failing(group, message):
        if group == ROOM:
            raise ConnectionError("layer down")
        await real_send(group, message)

    monkeypatch.setattr(layer, "group_send", failing)
    events.serve_events_here()
    delivery = events.Delivery()
    with caplog.at_level(logging.ERROR, logger="minimentors.events"):
        await database_sync_to_async(events.send_event_on_commit)(
            message_event(5), [ROOM, USER], delivery
        )
        await events.flushed()
    assert delivery.failed == [ROOM]
    assert (await layer.receive(channel))["frame"]["id"] == 5
    assert any(ROOM in r.getMessage() for r in caplog.records)


def test_without_a_socket_loop_in_the_embedded_default_events_go_to_the_outbox(settings):
    settings.EVENTS_OUTBOX = True
    events._loop = None  # this thread is a Celery worker or a command: no sockets here
    with transaction.atomic():
        events.send_event_on_commit(message_event(7), [ROOM, USER])
        assert not OutboxEvent.objects.exists()  # nothing before the commit
    row = OutboxEvent.objects.get()
    assert row.groups == [ROOM, USER] and row.event["frame"]["id"] == 7


async def test_the_relay_drops_what_waited_from_before_and_sends_what_comes_after(layer, settings):
    settings.EVENTS_OUTBOX = True
    settings.EVENTS_OUTBOX_POLL_SECONDS = 0.02
    channel = await listening(layer, ROOM)
    stale = {"groups": [ROOM], "event": message_event(1)}
    await database_sync_to_async(OutboxEvent.objects.create)(**stale)
    relay = events._Relay()
    relay.start()
    try:
        for _ in range(100):  # the relay's first read empties the outbox
            await asyncio.sleep(0.02)
            if not await database_sync_to_async(OutboxEvent.objects.exists)():
                break
        await database_sync_to_async(events.outbox_write)(groups=[ROOM], event=message_event(2))
        received = await asyncio.wait_for(layer.receive(channel), 3)
        assert received["frame"]["id"] == 2
        assert await receives_nothing(layer, channel)
        assert not await database_sync_to_async(OutboxEvent.objects.exists)()
    finally:
        relay.task.cancel()
