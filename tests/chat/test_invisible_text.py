"""A message of only invisible characters is refused like an empty one; right-to-left
overrides and control characters never reach anyone."""

import pytest

from chat.models import Message
from moderation.models import Alert
from tests.chat.test_consumers import hears_no_message, next_frame, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_message_of_only_zero_width_characters_is_refused(child, other_child, general_room):
    amy = await open_socket(child, "/ws/rooms/general/")
    ben = await open_socket(other_child, "/ws/rooms/general/")
    text = "\u200b\u200c\u2060\ufeff\u200b"
    await amy.send_json_to({"type": "message", "text": text, "client_id": "z"})
    error = await next_frame(amy)
    assert error["type"] == "error" and error["code"] == "invalid"
    assert await hears_no_message(ben)
    assert not await Message.objects.aexists()
    await amy.disconnect()
    await ben.disconnect()


async def test_overrides_and_control_characters_are_stripped_before_anyone_sees_them(
    child, other_child, general_room
):
    amy = await open_socket(child, "/ws/rooms/general/")
    ben = await open_socket(other_child, "/ws/rooms/general/")
    text = "see \u202egnp.exe\u202c now\x07\x1b"
    await amy.send_json_to({"type": "message", "text": text, "client_id": "o"})
    heard = await next_frame(ben)
    assert heard["type"] == "message" and heard["text"] == "see gnp.exe now"
    stored = await Message.objects.aget()
    assert stored.original_text == "see gnp.exe now"
    await amy.disconnect()
    await ben.disconnect()


def test_a_report_of_only_invisible_characters_is_refused_like_an_empty_one(client, child):
    client.force_login(child)
    response = client.post("/moderation/report/", {"words": "\u200b\u2060\u200b"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Alert.objects.exists()
