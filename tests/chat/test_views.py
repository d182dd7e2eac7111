"""Chat pages: lobby, rooms, bubbles and their buttons, as each role sees them."""

from __future__ import annotations

import re

import pytest
import time_machine

from chat import bubbles, services
from chat.models import BubbleRequest, Room
from minimentors.models import AuditEntry

pytestmark = pytest.mark.django_db


def page(client, user, path):
    client.force_login(user)
    response = client.get(path)
    return response, response.content.decode()


def test_a_child_sees_the_talk_button_and_the_rooms(client, child, general_room):
    response, html = page(client, child, "/chat/")
    assert ">Talk to a MiniMentor</button>" in html
    assert 'href="/chat/rooms/general/"' in html
    assert "staff can read chats to keep everyone safe" in html


def test_out_of_hours_the_child_sees_childline_instead_of_the_button(client, child, settings):
    settings.OPENING_HOURS = "08:00-20:00"
    with time_machine.travel("2026-03-02 21:30:00+00:00", tick=False):
        _, html = page(client, child, "/chat/")
        assert "Talk to a MiniMentor</button>" not in html
        assert "ChildLine" in html and "0800 1111" in html
        response = client.post("/chat/bubbles/request/", follow=True)
    assert not BubbleRequest.objects.exists()
    assert "MiniMentors are away right now" in response.content.decode()


def test_asking_for_a_bubble_shows_a_waiting_page_that_listens_for_a_mentor(client, child):
    client.force_login(child)
    response = client.post("/chat/bubbles/request/", follow=True)
    html = response.content.decode()
    assert "finding a MiniMentor for you" in html and 'data-queue-socket="/ws/queue/"' in html
    assert ">Stop waiting</button>" in html


def test_a_mentor_sees_the_queue_and_accepting_opens_the_bubble(client, child, mentor):
    request = bubbles.bubble_request_create(child=child)
    _, html = page(client, mentor, "/chat/")
    assert "amy is waiting" in html and ">Accept</button>" in html
    response = client.post(f"/chat/bubbles/requests/{request.pk}/accept/")
    room = Room.objects.get(kind="bubble")
    assert (
        response.status_code == 302 and response.headers["Location"] == f"/chat/bubbles/{room.pk}/"
    )


def test_a_second_mentor_accepting_is_told_kindly_that_it_was_taken(
    client, child, mentor, bubble, make_member
):
    request = BubbleRequest.objects.get()
    other = make_member("mentor", "zed-mentor")
    client.force_login(other)
    response = client.post(f"/chat/bubbles/requests/{request.pk}/accept/", follow=True)
    assert "already took that chat" in response.content.decode()


def test_the_room_page_has_the_log_the_field_and_the_button(client, child, general_room):
    services.room_join(user=child, room=general_room)
    services.post_message(author=child, room=general_room, text="this is shit")
    _, html = page(client, child, "/chat/rooms/general/")
    assert 'role="log"' in html and 'aria-label="General chat"' in html
    assert '<label for="chat-message" class="visually-hidden">Message</label>' in html
    assert ">Send</button>" in html
    assert "*blocked*" in html and "this is shit" not in html
    assert re.search(r'id="presence-children">0 children</span> here', html)


def test_the_bubble_page_offers_raise_a_concern_to_the_mentor_only(client, child, mentor, bubble):
    _, html = page(client, mentor, f"/chat/bubbles/{bubble.pk}/")
    assert ">Raise a concern</button>" in html and 'aria-label="Bubble chat"' in html
    _, html = page(client, child, f"/chat/bubbles/{bubble.pk}/")
    assert "Raise a concern" not in html and ">Send</button>" in html


def test_another_child_gets_404_for_a_bubble(client, other_child, bubble):
    response, _ = page(client, other_child, f"/chat/bubbles/{bubble.pk}/")
    assert response.status_code == 404


def test_staff_may_read_a_bubble_without_a_message_field_and_the_read_is_audited(
    client, moderator, bubble
):
    response, html = page(client, moderator, f"/chat/bubbles/{bubble.pk}/")
    assert response.status_code == 200 and ">Send</button>" not in html
    assert AuditEntry.objects.filter(action="bubble.staff_read", actor=moderator).count() == 1


def test_a_mentor_is_offered_a_debrief_after_a_flagged_bubble_ends(client, child, mentor, bubble):
    services.post_message(author=child, room=bubble, text="I want to kill myself")
    client.force_login(mentor)
    client.post(f"/chat/bubbles/{bubble.pk}/end/")
    _, html = page(client, mentor, f"/chat/bubbles/{bubble.pk}/")
    assert "Debrief" in html and "This chat has ended" in html
    _, html = page(client, mentor, "/chat/")
    assert "Debrief:" in html


def test_a_member_can_report_a_message(client, child, other_child, general_room):
    services.room_join(user=other_child, room=general_room)
    message = services.post_message(author=other_child, room=general_room, text="hi").message
    client.force_login(child)
    response = client.post(f"/chat/messages/{message.pk}/report/", {"reason": "mean"}, follow=True)
    assert "Thank you for telling us" in response.content.decode()


def test_a_counsellor_can_start_a_chat_with_a_child(client, counsellor, child):
    client.force_login(counsellor)
    response = client.post("/chat/bubbles/open/", {"username": "amy"})
    room = Room.objects.get(kind="bubble")
    assert response.headers["Location"] == f"/chat/bubbles/{room.pk}/"


def test_a_childs_held_cry_for_help_stays_marked_in_their_own_log_only(
    client, child, other_child, general_room
):
    services.room_join(user=child, room=general_room)
    services.post_message(author=child, room=general_room, text="i want to kill myself")
    _, own = page(client, child, "/chat/rooms/general/")
    assert "only the MiniMentors team saw this" in own
    _, others = page(client, other_child, "/chat/rooms/general/")
    assert "kill myself" not in others and "only the MiniMentors team saw this" not in others


def test_a_chat_a_counsellor_starts_tells_the_child_who_they_are(client, child, counsellor):
    room = bubbles.bubble_open_with_child(counsellor=counsellor, child=child)
    _, html = page(client, child, f"/chat/bubbles/{room.pk}/")
    assert "carol-counsellor is a <strong>counsellor</strong>" in html
