"""Alerts and sanctions reach open sockets at once (Channels' communicator, in-memory layer)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from chat import bubbles as chat_bubbles
from chat import services as chat_services
from chat.models import Room
from minimentors.asgi import application
from moderation.sanctions import sanction_block, sanction_mute
from tests.channel_helpers import member_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def always_open(settings):
    settings.OPENING_HOURS = "00:00-24:00"
    cache.clear()


async def open_socket(user, path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=await member_headers(user))
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


def make_bubble(child, mentor) -> Room:
    request = chat_bubbles.bubble_request_create(child=child)
    return chat_bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)


async def test_a_cry_for_help_in_a_bubble_reaches_the_moderators_and_counsellors_sockets(
    child, mentor, moderator, counsellor
):
    mod_socket = await open_socket(moderator, "/ws/staff/alerts/")
    counsellor_socket = await open_socket(counsellor, "/ws/staff/alerts/")
    bubble = await database_sync_to_async(make_bubble)(child, mentor)
    result = await database_sync_to_async(chat_services.post_message)(
        author=child, room=bubble, text="I don't want to be here anymore", client_id="c1"
    )
    for socket in (mod_socket, counsellor_socket):
        frame = await socket.receive_json_from(timeout=5)
        while "self_harm" not in frame["categories"]:
            frame = await socket.receive_json_from(timeout=5)
        assert frame["type"] == "alert" and frame["severity"] == 3
        assert frame["member"] == child.username
    assert result is not None
    await mod_socket.disconnect()
    await counsellor_socket.disconnect()


async def test_a_muted_member_gets_an_error_frame_with_code_muted(child, moderator, general_room):
    await database_sync_to_async(chat_services.room_join)(user=child, room=general_room)
    socket = await open_socket(child, "/ws/rooms/general/")
    await database_sync_to_async(sanction_mute)(
        member=child, actor=moderator, reason="Too fast.", minutes=10
    )
    await socket.send_json_to({"type": "message", "text": "hello", "client_id": "m1"})
    frame = await socket.receive_json_from(timeout=5)
    while frame["type"] == "presence":
        frame = await socket.receive_json_from(timeout=5)
    assert frame["type"] == "error" and frame["code"] == "muted"
    await socket.disconnect()


async def test_blocking_closes_the_members_open_sockets_with_4403(child, moderator, general_room):
    await database_sync_to_async(chat_services.room_join)(user=child, room=general_room)
    room_socket = await open_socket(child, "/ws/rooms/general/")
    queue_socket = await open_socket(child, "/ws/queue/")
    await database_sync_to_async(sanction_block)(member=child, actor=moderator, reason="Rude.")
    for socket in (room_socket, queue_socket):
        output = await socket.receive_output(timeout=2)
        while output["type"] != "websocket.close":
            output = await socket.receive_output(timeout=2)
        assert output["code"] == 4403
