"""The queue shows a flagged message with the ten messages before and after it, the reason the
filter fired, and the member's history; a reported message reaches the queue and the
reporter hears back."""

import pytest
from django.core.cache import cache
from django.utils.html import escape

from chat import services as chat_services
from chat.models import Message, Room
from moderation.models import Alert
from moderation.sanctions import sanction_warn

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(settings, child, other_child):
    settings.OPENING_HOURS = "00:00-24:00"
    settings.CHAT_RATE_LIMIT_MESSAGES = 1000
    cache.clear()
    room, _ = Room.objects.get_or_create(
        slug="general", defaults={"kind": Room.Kind.GENERAL, "name": "General"}
    )
    for user in (child, other_child):
        chat_services.room_join(user=user, room=room)
    return room


def test_the_queue_shows_ten_messages_either_side_the_reason_and_history(
    client, room, child, other_child, moderator
):
    for number in range(12):
        chat_services.post_message(author=child, room=room, text=f"before {number}")
    chat_services.post_message(
        author=other_child, room=room, text="are your parents home? send me a pic"
    )
    for number in range(12):
        chat_services.post_message(author=child, room=room, text=f"after {number}")
    alert = Alert.objects.get(member=other_child)
    sanction_warn(member=other_child, actor=moderator, reason="Unkind words.")
    client.force_login(moderator)
    html = client.get("/moderation/").content.decode()
    card = html[html.index(f"Alert {alert.pk} ") :]
    assert "before 2" in card and "before 1<" not in card.split("after 9")[0]
    assert "after 9" in card and "after 10" not in card
    assert "are your parents home? send me a pic" in card
    assert "(members saw: *inappropriate*)" in card
    assert "Why the filter fired:" in card and escape(alert.reason) in card
    assert "Warning" in card


def test_a_reported_message_reaches_the_queue_and_the_reporter_hears_back(
    client, room, child, other_child, moderator
):
    chat_services.post_message(author=other_child, room=room, text="meet me after school")
    message = Message.objects.get(author=other_child)
    chat_services.message_report(reporter=child, message=message, text="this felt creepy")
    report = Alert.objects.get(kind=Alert.Kind.REPORT)
    assert report.reporter == child and report.message_id == message.pk
    assert report.member == other_child and report.reporter_words == "this felt creepy"
    client.force_login(child)
    page = client.get("/moderation/my-reports/").content.decode()
    assert "this felt creepy" in page and "A grown-up will read it soon" in page
