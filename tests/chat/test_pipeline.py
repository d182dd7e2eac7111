"""chat.pipeline.post_message: one queue per event loop takes messages to the database thread
in batches; each message still goes through services.post_message on its own, and the events
are sent from the event loop in the order the messages were stored."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat import pipeline, services
from chat.models import Message
from minimentors.events import group_name
from tests.channel_helpers import receives_nothing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def layer(settings):
    """A new embedded layer for this test (Channels drops its layers when the setting changes)."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "minimentors.layers.EmbeddedChannelLayer", "CONFIG": {}}
    }
    return get_channel_layer()


@pytest.fixture
def members(child, other_child, mentor, joined):
    room = joined(child, other_child, mentor)
    return room, [child, other_child, mentor]


async def listen(layer, room) -> str:
    channel = await layer.new_channel()
    await layer.group_add(group_name("room", room.pk), channel)
    return channel


async def events_on(layer, channel: str, count: int) -> list[dict]:
    return [await asyncio.wait_for(layer.receive(channel), 2) for _ in range(count)]


def post(author, room, text: str, client_id: str = ""):
    return pipeline.post_message(author=author, room=room, text=text, client_id=client_id)


def stored() -> list[tuple[int, str, str]]:
    return list(
        Message.objects.order_by("id").values_list("id", "author__username", "original_text")
    )


async def test_concurrent_messages_are_each_stored_once_and_broadcast_in_stored_order(
    layer, members
):
    room, people = members
    channel = await listen(layer, room)
    posts = [
        post(person, room, f"hello {n} from {person.username}", f"c-{n}-{person.pk}")
        for n in range(2)
        for person in people
    ]
    results = await asyncio.gather(*posts)

    rows = await database_sync_to_async(stored)()
    assert len(rows) == 6
    assert sorted(text for _, _, text in rows) == sorted(
        f"hello {n} from {p.username}" for n in range(2) for p in people
    )
    assert sorted(r.message.pk for r in results) == [pk for pk, _, _ in rows]
    assert all(r.delivery.ok and not r.duplicate for r in results)
    # Each caller gets its own message back.
    for result, (n, person) in zip(
        results, [(n, p) for n in range(2) for p in people], strict=True
    ):
        assert result.message.original_text == f"hello {n} from {person.username}"

    received = await events_on(layer, channel, 6)
    assert [e["type"] for e in received] == ["chat.message"] * 6
    assert [e["frame"]["id"] for e in received] == [pk for pk, _, _ in rows]
    assert [e["frame"]["text"] for e in received] == [text for _, _, text in rows]
    assert await receives_nothing(layer, channel)


async def test_messages_arriving_while_a_batch_is_stored_form_the_next_batch_in_order(
    layer, members, monkeypatch
):
    room, (amy, ben, mia) = members
    channel = await listen(layer, room)
    real_post = services.post_message
    first_started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_first(**kwargs):
        if kwargs["text"] == "first":
            loop.call_soon_threadsafe(first_started.set)
            time.sleep(0.3)
        return real_post(**kwargs)

    batches = []
    real_store = pipeline._store

    def recording_store(batch):
        batches.append([item.text for item in batch])
        return real_store(batch)

    monkeypatch.setattr(services, "post_message", slow_first)
    monkeypatch.setattr(pipeline, "_store", recording_store)
    first = asyncio.create_task(post(amy, room, "first"))
    await first_started.wait()  # the first batch is in the database thread now
    later = await asyncio.gather(post(ben, room, "second"), post(mia, room, "third"))
    await first

    assert batches == [["first"], ["second", "third"]]
    rows = await database_sync_to_async(stored)()
    assert [text for _, _, text in rows] == ["first", "second", "third"]
    assert [r.message.original_text for r in later] == ["second", "third"]
    received = await events_on(layer, channel, 3)
    assert [e["frame"]["text"] for e in received] == ["first", "second", "third"]


async def test_a_refused_message_raises_only_for_its_sender(layer, members, settings):
    room, (amy, ben, mia) = members
    channel = await listen(layer, room)
    too_long = "a" * (settings.CHAT_MAX_MESSAGE_CHARS + 1)
    results = await asyncio.gather(
        post(amy, room, "hi from amy"),
        post(ben, room, too_long),
        post(mia, room, "hi from mia"),
        return_exceptions=True,
    )

    assert isinstance(results[1], services.ChatError) and results[1].code == "too_long"
    assert results[0].message.original_text == "hi from amy"
    assert results[2].message.original_text == "hi from mia"
    rows = await database_sync_to_async(stored)()
    assert [(who, text) for _, who, text in rows] == [
        ("amy", "hi from amy"),
        ("mia-mentor", "hi from mia"),
    ]
    received = await events_on(layer, channel, 2)
    assert [e["frame"]["text"] for e in received] == ["hi from amy", "hi from mia"]
    assert await receives_nothing(layer, channel)


async def test_an_unexpected_failure_is_logged_and_answered_as_unavailable_for_that_message_only(
    layer, members, monkeypatch, caplog
):
    room, (amy, ben, mia) = members
    channel = await listen(layer, room)
    real_post = services.post_message

    def failing_for_boom(**kwargs):
        if kwargs["text"] == "boom":
            raise RuntimeError("the database thread fell over")
        return real_post(**kwargs)

    monkeypatch.setattr(services, "post_message", failing_for_boom)
    with caplog.at_level(logging.ERROR, logger="chat.pipeline"):
        results = await asyncio.gather(
            post(amy, room, "before"),
            post(ben, room, "boom"),
            post(mia, room, "after"),
            return_exceptions=True,
        )

    assert isinstance(results[1], services.ChatError) and results[1].code == "unavailable"
    assert [r.message.original_text for r in (results[0], results[2])] == ["before", "after"]
    [record] = [r for r in caplog.records if r.name == "chat.pipeline"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "the database thread fell over" in str(record.exc_info[1])
    assert "general" in record.getMessage()
    rows = await database_sync_to_async(stored)()
    assert [text for _, _, text in rows] == ["before", "after"]
    received = await events_on(layer, channel, 2)
    assert [e["frame"]["text"] for e in received] == ["before", "after"]


async def test_a_failing_channel_layer_is_reported_in_the_delivery_but_the_message_is_stored(
    layer, members, monkeypatch, caplog
):
    room, (amy, _, _) = members

    async def broken_group_send(group, message):
        raise ConnectionError("channel layer down")

    monkeypatch.setattr(layer, "group_send", broken_group_send)
    with caplog.at_level(logging.ERROR, logger="minimentors.events"):
        result = await post(amy, room, "still stored")

    assert not result.delivery.ok
    assert result.delivery.failed == [group_name("room", room.pk)]
    rows = await database_sync_to_async(stored)()
    assert [(pk, text) for pk, _, text in rows] == [(result.message.pk, "still stored")]
    assert any(
        r.name == "minimentors.events"
        and r.levelno == logging.ERROR
        and "chat.message" in r.getMessage()
        for r in caplog.records
    )
