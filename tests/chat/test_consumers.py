"""The websocket contract, frame by frame, through Channels' WebsocketCommunicator (in-memory
channel layer, SQLite test database)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

import minimentors.sockets
from chat import bubbles, permissions, services
from chat.models import Message
from chat.routing import websocket_urlpatterns
from minimentors.models import AuditEntry, OpenSocket
from minimentors.roles import Member, Role
from tests.chat.test_services import everyone_is_muted

pytestmark = pytest.mark.django_db(transaction=True)
application = URLRouter(websocket_urlpatterns)


async def open_socket(user, path: str) -> WebsocketCommunicator:
    """A socket as the handshake leaves it: the user and their ``Member`` in the scope."""
    communicator = WebsocketCommunicator(application, path)
    if user is not None:
        communicator.scope["user"] = user
        communicator.scope["member"] = await database_sync_to_async(Member.of)(user)
    else:
        from django.contrib.auth.models import AnonymousUser

        communicator.scope["user"] = AnonymousUser()
        communicator.scope["member"] = None
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def next_frame(communicator, *, skip=("presence",), timeout=3) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] not in skip:
            return frame


async def closed_with(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output["code"]


async def hears_no_message(communicator, timeout=0.3) -> bool:
    """Nothing but presence updates arrives within ``timeout``."""
    while not await communicator.receive_nothing(timeout=timeout):
        frame = await communicator.receive_json_from()
        if frame["type"] != "presence":
            return False
    return True


async def send_raw(communicator, text: str) -> None:
    await communicator.send_to(text_data=text)


# --- closing codes -------------------------------------------------------------------------


async def test_an_anonymous_socket_is_closed_with_4401(general_room):
    communicator = await open_socket(None, "/ws/rooms/general/")
    assert await closed_with(communicator) == 4401


async def test_a_child_cannot_open_another_childs_bubble(other_child, bubble):
    communicator = await open_socket(other_child, f"/ws/bubbles/{bubble.pk}/")
    assert await closed_with(communicator) == 4403


async def test_a_room_that_does_not_exist_is_refused_like_a_forbidden_one(child):
    communicator = await open_socket(child, "/ws/rooms/nowhere/")
    assert await closed_with(communicator) == 4403


async def test_a_blocked_account_is_closed_with_4403(child, general_room):
    child.is_active = False
    await database_sync_to_async(child.save)()
    communicator = await open_socket(child, "/ws/rooms/general/")
    assert await closed_with(communicator) == 4403


async def test_a_member_may_hold_only_a_few_sockets_at_once(child, general_room, settings):
    settings.CHAT_MAX_SOCKETS_PER_MEMBER = 2
    first = await open_socket(child, "/ws/rooms/general/")
    second = await open_socket(child, "/ws/rooms/general/")
    third = await open_socket(child, "/ws/rooms/general/")
    assert await closed_with(third) == 4429
    await first.disconnect()
    fourth = await open_socket(child, "/ws/rooms/general/")
    assert (await next_frame(fourth, skip=()))["type"] == "presence"
    await second.disconnect()
    await fourth.disconnect()


async def test_a_queue_socket_is_refused_to_staff(counsellor):
    communicator = await open_socket(counsellor, "/ws/queue/")
    assert await closed_with(communicator) == 4403


# --- message frames ------------------------------------------------------------------------


async def test_a_message_reaches_everyone_in_the_room_and_only_the_sender_sees_its_client_id(
    child, mentor, general_room
):
    amy = await open_socket(child, "/ws/rooms/general/")
    mia = await open_socket(mentor, "/ws/rooms/general/")
    await amy.send_json_to({"type": "message", "text": "hello", "client_id": "c1"})
    mine, theirs = await next_frame(amy), await next_frame(mia)
    assert mine == {**theirs, "client_id": "c1"}
    assert theirs["type"] == "message" and theirs["room"] == "general"
    assert theirs["author"] == "amy" and theirs["role"] == "child" and theirs["text"] == "hello"
    assert "client_id" not in theirs and theirs["sent_at"].startswith("20")
    assert isinstance(theirs["id"], int)
    await amy.disconnect()
    await mia.disconnect()


async def test_a_resent_message_is_stored_once_and_answered_with_the_same_frame(
    child, general_room
):
    amy = await open_socket(child, "/ws/rooms/general/")
    await amy.send_json_to({"type": "message", "text": "hello", "client_id": "again"})
    first = await next_frame(amy)
    await amy.send_json_to({"type": "message", "text": "hello", "client_id": "again"})
    second = await next_frame(amy)
    assert first == second
    assert await database_sync_to_async(Message.objects.count)() == 1
    await amy.disconnect()


async def test_resume_returns_what_was_missed_in_order(child, mentor, general_room):
    mia = await open_socket(mentor, "/ws/rooms/general/")
    await mia.send_json_to({"type": "message", "text": "first", "client_id": "m1"})
    first = await next_frame(mia)
    await mia.disconnect()
    await database_sync_to_async(services.room_join)(user=child, room=general_room)
    for text in ("second", "third"):
        await database_sync_to_async(services.post_message)(
            author=child, room=general_room, text=text
        )
    again = await open_socket(mentor, "/ws/rooms/general/")
    await again.send_json_to({"type": "resume", "after": first["id"]})
    missed = [await next_frame(again), await next_frame(again)]
    assert [frame["text"] for frame in missed] == ["second", "third"]
    assert missed[0]["id"] < missed[1]["id"]
    assert await hears_no_message(again)
    await again.disconnect()


async def test_a_blocked_message_shows_its_placeholder_and_the_sender_gets_a_notice(
    child, other_child, general_room
):
    amy = await open_socket(child, "/ws/rooms/general/")
    ben = await open_socket(other_child, "/ws/rooms/general/")
    await amy.send_json_to({"type": "message", "text": "this is shit", "client_id": "x"})
    frames = [await next_frame(amy), await next_frame(amy)]
    by_type = {frame["type"]: frame for frame in frames}
    assert by_type["message"]["text"] == "*blocked*"
    assert "rude word" in by_type["notice"]["text"] and by_type["notice"]["link"] == "/rules/"
    assert (await next_frame(ben))["text"] == "*blocked*"
    assert await hears_no_message(ben)
    await amy.disconnect()
    await ben.disconnect()


async def test_a_cry_for_help_is_echoed_to_the_child_only_with_childline(
    child, other_child, general_room
):
    amy = await open_socket(child, "/ws/rooms/general/")
    ben = await open_socket(other_child, "/ws/rooms/general/")
    await amy.send_json_to({"type": "message", "text": "I want to kill myself", "client_id": "h"})
    echo, kind_words = await next_frame(amy), await next_frame(amy)
    assert echo["type"] == "message" and echo["client_id"] == "h"
    assert kind_words["type"] == "notice" and "0800 1111" in kind_words["text"]
    assert await hears_no_message(ben)
    await amy.disconnect()
    await ben.disconnect()


async def test_the_mentor_is_told_what_to_say_when_a_risk_appears_in_a_bubble(
    child, mentor, bubble
):
    amy = await open_socket(child, f"/ws/bubbles/{bubble.pk}/")
    mia = await open_socket(mentor, f"/ws/bubbles/{bubble.pk}/")
    await amy.send_json_to({"type": "message", "text": "I want to kill myself", "client_id": "r"})
    first, second = await next_frame(mia), await next_frame(mia)
    by_type = {first["type"]: first, second["type"]: second}
    assert by_type["message"]["text"] == "I want to kill myself"
    assert by_type["notice"]["handover"] and "grown-up" in by_type["notice"]["text"]
    await amy.disconnect()
    await mia.disconnect()


# --- error frames: the socket stays open ---------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        json.dumps({"type": "dance"}),
        json.dumps({"type": "message"}),
        json.dumps({"type": "message", "text": 5}),
        json.dumps({"type": "message", "text": "hi", "client_id": 7}),
        json.dumps({"type": "resume", "after": "yesterday"}),
        json.dumps({"type": "resume", "after": True}),
    ],
)
async def test_a_malformed_frame_gets_an_invalid_error_and_the_socket_stays_open(
    child, general_room, raw
):
    amy = await open_socket(child, "/ws/rooms/general/")
    await send_raw(amy, raw)
    error = await next_frame(amy)
    assert error["type"] == "error" and error["code"] == "invalid" and error["message"]
    await amy.send_json_to({"type": "message", "text": "still here", "client_id": "ok"})
    assert (await next_frame(amy))["text"] == "still here"
    await amy.disconnect()


async def test_a_message_over_the_length_limit_gets_too_long(child, general_room, settings):
    amy = await open_socket(child, "/ws/rooms/general/")
    text = "a" * (settings.CHAT_MAX_MESSAGE_CHARS + 1)
    await amy.send_json_to({"type": "message", "text": text, "client_id": "long"})
    assert (await next_frame(amy))["code"] == "too_long"
    assert not await database_sync_to_async(Message.objects.exists)()
    await amy.disconnect()


async def test_a_frame_over_the_size_limit_is_refused_before_it_is_parsed(
    child, general_room, settings, monkeypatch
):
    def never(*args, **kwargs):
        raise AssertionError("parsed a frame that was too big")

    amy = await open_socket(child, "/ws/rooms/general/")
    monkeypatch.setattr(minimentors.sockets, "json", SimpleNamespace(loads=never))
    await send_raw(amy, "{" + "x" * settings.CHAT_MAX_FRAME_BYTES)
    assert (await next_frame(amy))["code"] == "too_long"
    monkeypatch.undo()
    await amy.send_json_to({"type": "message", "text": "small", "client_id": "s"})
    assert (await next_frame(amy))["text"] == "small"
    await amy.disconnect()


async def test_too_many_messages_get_rate_limited(child, general_room, settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 2
    amy = await open_socket(child, "/ws/rooms/general/")
    for number in range(2):
        await amy.send_json_to({"type": "message", "text": f"m{number}", "client_id": f"{number}"})
        assert (await next_frame(amy))["type"] == "message"
    await amy.send_json_to({"type": "message", "text": "m3", "client_id": "3"})
    assert (await next_frame(amy))["code"] == "rate_limited"
    assert await database_sync_to_async(Message.objects.count)() == 2
    await amy.disconnect()


async def test_a_muted_member_gets_the_muted_error(child, general_room, monkeypatch):
    monkeypatch.setattr(permissions, "posting_restriction", everyone_is_muted)
    amy = await open_socket(child, "/ws/rooms/general/")
    await amy.send_json_to({"type": "message", "text": "hello", "client_id": "m"})
    assert (await next_frame(amy))["code"] == "muted"
    await amy.disconnect()


async def test_staff_reading_a_bubble_cannot_post_and_the_read_is_audited(moderator, bubble):
    max_ = await open_socket(moderator, f"/ws/bubbles/{bubble.pk}/")
    await max_.send_json_to({"type": "message", "text": "hi", "client_id": "s"})
    assert (await next_frame(max_))["code"] == "invalid"
    audited = await database_sync_to_async(
        AuditEntry.objects.filter(action="bubble.staff_read", actor=moderator).exists
    )()
    assert audited
    await max_.disconnect()


async def test_when_moderation_fails_the_sender_gets_an_error_and_nothing_is_broadcast(
    child, other_child, general_room, monkeypatch
):
    import moderation.engine

    def broken(*args, **kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr(moderation.engine, "review", broken)  # the engine itself fails
    amy = await open_socket(child, "/ws/rooms/general/")
    ben = await open_socket(other_child, "/ws/rooms/general/")
    await amy.send_json_to({"type": "message", "text": "hello", "client_id": "f"})
    assert (await next_frame(amy))["code"] == "unavailable"
    assert await hears_no_message(ben)
    await amy.disconnect()
    await ben.disconnect()


# --- presence and the bubble queue ---------------------------------------------------------


async def test_presence_counts_children_and_names_mentors(child, mentor, general_room):
    amy = await open_socket(child, "/ws/rooms/general/")
    await next_frame(amy, skip=())
    mia = await open_socket(mentor, "/ws/rooms/general/")
    frame = await next_frame(amy, skip=())
    assert frame == {"type": "presence", "children": 1, "mentors": ["mia-mentor"]}
    await mia.disconnect()
    assert await next_frame(amy, skip=()) == {"type": "presence", "children": 1, "mentors": []}
    await amy.disconnect()
    assert not await database_sync_to_async(OpenSocket.objects.exists)()


async def test_mentors_see_requests_arrive_and_get_taken_and_the_child_is_moved(
    child, mentor, make_member
):
    second = await database_sync_to_async(make_member)(Role.MENTOR, "zed-mentor")
    mia = await open_socket(mentor, "/ws/queue/")
    zed = await open_socket(second, "/ws/queue/")
    request = await database_sync_to_async(bubbles.bubble_request_create)(child=child)
    amy = await open_socket(child, "/ws/queue/")
    for socket in (mia, zed):
        frame = await next_frame(socket)
        assert frame["type"] == "bubble_request" and frame["id"] == request.pk
        assert frame["child"] == "amy"
    room = await database_sync_to_async(bubbles.bubble_request_accept)(
        mentor=mentor, request_id=request.pk
    )
    assert await next_frame(zed) == {"type": "bubble_request_taken", "id": request.pk}
    moved = await next_frame(amy)
    assert moved["type"] == "bubble_accepted" and moved["url"] == f"/chat/bubbles/{room.pk}/"
    for socket in (mia, zed, amy):
        await socket.disconnect()


async def test_a_mentor_who_connects_late_sees_who_is_already_waiting(child, mentor):
    request = await database_sync_to_async(bubbles.bubble_request_create)(child=child)
    mia = await open_socket(mentor, "/ws/queue/")
    assert (await next_frame(mia))["id"] == request.pk
    await mia.disconnect()


async def test_a_database_error_while_storing_tells_the_sender_and_broadcasts_nothing(
    child, other_child, general_room, monkeypatch
):
    from django.db import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("disk I/O error")

    amy = await open_socket(child, "/ws/rooms/general/")
    ben = await open_socket(other_child, "/ws/rooms/general/")
    monkeypatch.setattr(Message.objects, "create", broken)
    await amy.send_json_to({"type": "message", "text": "hello ben", "client_id": "db1"})
    frame = await next_frame(amy)
    assert frame["type"] == "error" and frame["code"] == "unavailable"
    assert await hears_no_message(ben)
    monkeypatch.undo()
    assert not await database_sync_to_async(Message.objects.exists)()
    await amy.disconnect()
    await ben.disconnect()
