"""moderation_history: the recent conversation the engine reads with every new message."""

from __future__ import annotations

import pytest

from chat import selectors, services
from chat.models import Message

pytestmark = pytest.mark.django_db


def post(author, room, text):
    return services.post_message(author=author, room=room, text=text)


def test_moderation_history_is_the_newest_messages_of_the_room_oldest_first(
    child, other_child, mentor, joined, bubble
):
    room = joined(child, other_child)
    post(child, room, "one")
    post(other_child, room, "two")
    post(mentor, bubble, "in the bubble")  # another room
    post(child, room, "three")
    post(other_child, room, "four")
    post(child, bubble, "also in the bubble")

    assert selectors.moderation_history(room=room, limit=3) == [
        ("ben", "two"),
        ("amy", "three"),
        ("ben", "four"),
    ]
    assert selectors.moderation_history(room=room, limit=10) == [
        ("amy", "one"),
        ("ben", "two"),
        ("amy", "three"),
        ("ben", "four"),
    ]
    assert selectors.moderation_history(room=bubble, limit=10) == [
        ("mia-mentor", "in the bubble"),
        ("amy", "also in the bubble"),
    ]


def test_moderation_history_gives_the_original_text_of_a_blocked_message(child, joined):
    room = joined(child)
    post(child, room, "this is shit")
    post(child, room, "hello")
    assert Message.objects.get(original_text="this is shit").shown_text == "*blocked*"
    assert selectors.moderation_history(room=room, limit=5) == [
        ("amy", "this is shit"),
        ("amy", "hello"),
    ]


def test_moderation_history_of_a_quiet_room_is_empty(general_room):
    assert selectors.moderation_history(room=general_room, limit=10) == []


def test_a_phone_number_split_over_three_messages_is_caught_in_a_room(child, joined):
    """post_message reads the room's history with ``moderation_history``'s default limit; the
    engine's conversation checks need several earlier messages to see a split number."""
    room = joined(child)
    post(child, room, "07700")
    post(child, room, "900")
    result = post(child, room, "123")
    assert result.message.action == "block"
    assert "personal_info" in result.message.categories
