"""Text a database cannot store (a lone surrogate, a NUL byte) is cleaned where it arrives, so
a cry for help is never lost: it is stored, staff are alerted, and the child gets the helpline."""

from __future__ import annotations

import json

import pytest

from chat.models import Message
from moderation.models import Alert
from tests.chat.test_consumers import next_frame, open_socket, send_raw

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "raw_text",
    [
        "I want to kill myself \\ud83d",  # half an emoji: a lone surrogate once JSON is read
        "I want to \\u0000kill myself",  # a NUL byte (PostgreSQL refuses it)
        "\\udc00I want to kill myself\\ud83d\\ude00",  # a lone one before a whole emoji
    ],
)
async def test_a_cry_for_help_with_unstorable_characters_still_reaches_a_grown_up(
    child, general_room, raw_text
):
    amy = await open_socket(child, "/ws/rooms/general/")
    frame = '{"type": "message", "text": "' + raw_text + '", "client_id": "h"}'
    await send_raw(amy, frame)
    echo, kind_words = await next_frame(amy), await next_frame(amy)
    assert echo["type"] == "message" and echo["client_id"] == "h"
    assert kind_words["type"] == "notice" and "0800 1111" in kind_words["text"]
    await amy.disconnect()

    message = (await Message.objects.aget(author=child)).original_text
    assert "kill myself" in message and "\x00" not in message
    assert not any("\ud800" <= char <= "\udfff" for char in message)
    json.dumps(message).encode()  # every character is real
    alert = await Alert.objects.aget(message_id__isnull=False)
    assert "self_harm" in alert.categories


def test_a_form_with_a_nul_byte_still_reaches_a_moderator(client, child):
    client.force_login(child)
    words = "I want to kill myself\x00 please help"
    response = client.post("/moderation/report/", {"words": words})
    assert response.status_code == 200 and "Thank you for telling us" in response.content.decode()
    alert = Alert.objects.get()
    assert alert.reporter_words == "I want to kill myself please help"


def test_text_from_a_help_button_is_cleaned_too(client, child):
    client.force_login(child)
    client.post("/chat/help/", {"words": "\x00help me\x00"})
    assert Alert.objects.get().reporter_words == "help me"


def test_passwords_reach_django_as_typed_and_other_fields_are_cleaned(rf):
    from minimentors.middleware import CleanTextMiddleware

    seen = {}

    def view(request):
        seen.update(request.POST.dict())
        from django.http import HttpResponse

        return HttpResponse()

    data = {"words": "a\x00b\u202e", "new_password1": "pa\u202ess", "old_password": "x\x07"}
    CleanTextMiddleware(view)(rf.post("/", data))
    assert seen == {"words": "ab", "new_password1": "pa\u202ess", "old_password": "x\x07"}
