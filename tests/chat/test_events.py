"""chat.events.collect and send_collected: inside ``collect`` the events due after commit are
kept in commit order instead of being sent; ``send_collected`` sends them from the loop."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from chat import events
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
    return {"type": "chat.message", "frame": {"type": "message", "id": n, "text": f"hi {n}"}}


def collect_three_transactions(delivery: events.Delivery, built: list[str]):
    """In the database thread: two committed transactions and one rolled back."""

    def built_after_commit() -> dict:
        built.append("built")
        return {"type": "chat.presence", "frame": {"type": "presence", "children": 3}}

    with events.collect() as collected:
        with transaction.atomic():
            events.send_after_commit(ROOM, message_event(1), delivery)
            events.send_after_commit(USER, built_after_commit)
            assert collected == [] and built == []  # nothing before commit
        try:
            with transaction.atomic():
                events.send_after_commit(ROOM, message_event(99), delivery)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        with transaction.atomic():
            events.send_after_commit(ROOM, {"type": "chat.close", "code": 4403})
    return collected


async def test_collected_events_are_kept_in_commit_order_with_their_json_and_not_sent(layer):
    channel = await listening(layer, ROOM, USER)
    delivery = events.Delivery()
    built: list[str] = []
    collected = await database_sync_to_async(collect_three_transactions)(delivery, built)

    assert [(group, event["type"]) for group, event, _ in collected] == [
        (ROOM, "chat.message"),
        (USER, "chat.presence"),
        (ROOM, "chat.close"),
    ]
    (_, first, first_delivery), (_, second, second_delivery), (_, third, _) = collected
    assert first_delivery is delivery and second_delivery is None
    assert first["frame"] == message_event(1)["frame"]
    assert json.loads(first["text"]) == first["frame"]
    assert json.loads(second["text"]) == {"type": "presence", "children": 3}
    assert built == ["built"]  # the callable event was built once, after commit
    assert "text" not in third  # no frame, nothing to encode
    assert await receives_nothing(layer, channel)

    await events.send_collected(collected)

    received = [await asyncio.wait_for(layer.receive(channel), 1) for _ in range(3)]
    assert received == [first, second, third]
    assert delivery.ok
    assert await receives_nothing(layer, channel)


def send_outside_collect() -> None:
    with events.collect():
        pass
    with transaction.atomic():
        events.send_after_commit(ROOM, message_event(5))


async def test_outside_collect_events_are_sent_at_commit_again(layer):
    channel = await listening(layer, ROOM)
    await database_sync_to_async(send_outside_collect)()
    event = await asyncio.wait_for(layer.receive(channel), 1)
    assert event["frame"]["id"] == 5 and json.loads(event["text"]) == event["frame"]


async def test_send_collected_reports_a_failed_group_and_still_sends_the_rest(
    layer, monkeypatch, caplog
):
    channel = await listening(layer, ROOM)
    real_group_send = layer.group_send

    async def user_group_down(group, message):
        if group == USER:
            raise ConnectionError("layer down")
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", user_group_down)
    to_user, to_room = events.Delivery(), events.Delivery()
    collected = [
        (USER, message_event(1), to_user),
        (ROOM, message_event(2), to_room),
    ]
    with caplog.at_level(logging.ERROR, logger="chat.events"):
        await events.send_collected(collected)

    assert to_user.failed == [USER] and not to_user.ok
    assert to_room.ok
    assert (await asyncio.wait_for(layer.receive(channel), 1))["frame"]["id"] == 2
    assert any(USER in r.getMessage() for r in caplog.records if r.name == "chat.events")


# --- run_collecting ---------------------------------------------------------------------------


def commit_then_fail(fail: bool, log: list[str] | None = None) -> str:
    """A service: one committed transaction, one rolled back, then perhaps an error."""
    with transaction.atomic():
        events.send_after_commit(ROOM, message_event(1))
    try:
        with transaction.atomic():
            events.send_after_commit(ROOM, message_event(99))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    if fail:
        raise ValueError("the service refused")
    if log is not None:
        log.append("service done")
    return "done"


async def test_run_collecting_sends_the_events_once_the_service_is_done(layer, monkeypatch):
    """The database thread never waits for the event loop to send."""
    channel = await listening(layer, ROOM)
    log: list[str] = []
    group_send = layer.group_send

    async def recording(group, event):
        log.append("sent")
        await group_send(group, event)

    monkeypatch.setattr(layer, "group_send", recording)

    assert await events.run_collecting(commit_then_fail, fail=False, log=log) == "done"

    assert log == ["service done", "sent"]
    assert (await layer.receive(channel))["frame"]["id"] == 1
    assert await receives_nothing(layer, channel)  # the rolled-back event is never sent


async def test_run_collecting_sends_what_committed_before_the_service_raised(layer):
    channel = await listening(layer, ROOM)

    with pytest.raises(ValueError, match="refused"):
        await events.run_collecting(commit_then_fail, fail=True)

    assert (await layer.receive(channel))["frame"]["id"] == 1
    assert await receives_nothing(layer, channel)
