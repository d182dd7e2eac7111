"""What each chat service sends, captured with ``capture_events()``: which groups hear it and
what frame they get (Zulip's way: assert the events a change sends, not how it sends them)."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone

from chat import bubbles, selectors, services
from chat.models import Room
from minimentors.events import capture_events, group_name
from moderation.realtime import COUNSELLORS_GROUP, MODERATORS_GROUP

pytestmark = pytest.mark.django_db

QUEUE = group_name("queue", selectors.QUEUE_MENTORS)


def sent_as(captured) -> list[tuple[tuple[str, ...], str, dict | None]]:
    return [(e.groups, e.event["type"], e.frame) for e in captured]


def test_a_message_is_sent_to_its_room_once_with_the_contracts_frame(child, joined):
    room = joined(child)
    with capture_events() as sent:
        result = services.post_message(author=child, room=room, text="hello all", client_id="c1")
    [(groups, kind, frame)] = sent_as(sent)
    assert groups == (group_name("room", room.pk),) and kind == "chat.message"
    assert frame == selectors.message_frame(result.message)
    assert sent[0].event["author_id"] == child.pk and sent[0].event["client_id"] == "c1"


def test_a_held_cry_for_help_sends_no_message_to_the_room_only_the_alert(child, joined):
    room = joined(child)
    with capture_events() as sent:
        services.post_message(author=child, room=room, text="i want to kill myself")
    assert [kind for _, kind, _ in sent_as(sent)] == ["alert.raised"]
    groups = sent[0].groups
    assert MODERATORS_GROUP in groups and COUNSELLORS_GROUP in groups
    assert sent[0].frame["categories"] == ["self_harm"] and sent[0].frame["severity"] == 3


def test_a_risk_in_a_bubble_tells_the_mentor_what_to_say_and_alerts_a_counsellor(
    child, mentor, bubble
):
    with capture_events() as sent:
        services.post_message(author=child, room=bubble, text="my dad hits me every night")
    kinds = [kind for _, kind, _ in sent_as(sent)]
    assert kinds.count("chat.message") == 1  # never hidden from the mentor in a bubble
    notice = next(e for e in sent if e.event["type"] == "chat.notice")
    assert notice.event["user_ids"] == [mentor.pk] and notice.frame["handover"] is True
    alerts = [e.frame for e in sent if e.event["type"] == "alert.raised"]
    assert {"abuse"} <= set(alerts[0]["categories"]) and len(alerts) == 2  # + the hand-over


def test_a_request_reaches_the_mentors_queue_and_acceptance_moves_the_child(child, mentor):
    with capture_events() as sent:
        request = bubbles.bubble_request_create(child=child)
    assert sent_as(sent) == [(
        (QUEUE,), "chat.queue", selectors.bubble_request_frame(request)
    )]  # fmt: skip
    with capture_events() as sent:
        room = bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
    assert sent_as(sent) == [
        ((QUEUE,), "chat.queue", {"type": "bubble_request_taken", "id": request.pk}),
        (
            (group_name("user", child.pk),),
            "chat.queue",
            {"type": "bubble_accepted", "id": request.pk, "url": f"/chat/bubbles/{room.pk}/"},
        ),
    ]


def test_a_cancelled_request_leaves_the_queue(child):
    request = bubbles.bubble_request_create(child=child)
    with capture_events() as sent:
        bubbles.bubble_request_cancel(child=child, request_id=request.pk)
    assert sent_as(sent) == [
        ((QUEUE,), "chat.queue", {"type": "bubble_request_taken", "id": request.pk})
    ]


def test_an_expired_request_leaves_the_queue_and_the_child_is_told_where_to_get_help(
    child, settings
):
    request = bubbles.bubble_request_create(child=child)
    later = timezone.now() + settings.BUBBLE_REQUEST_EXPIRES_AFTER
    with time_machine.travel(later, tick=False), capture_events() as sent:
        assert bubbles.bubble_requests_expire() == 1
    (taken, told) = sent_as(sent)
    assert taken == ((QUEUE,), "chat.queue", {"type": "bubble_request_taken", "id": request.pk})
    assert told[0] == (group_name("user", child.pk),) and told[2]["type"] == "bubble_request_ended"
    assert "0800 1111" in told[2]["text"]


def test_a_counsellor_opening_a_bubble_moves_the_child_and_joining_tells_the_room(
    child, counsellor
):
    with capture_events() as sent:
        room = bubbles.bubble_open_with_child(counsellor=counsellor, child=child)
    assert sent_as(sent) == [(
        (group_name("user", child.pk),),
        "chat.queue",
        {"type": "bubble_accepted", "id": room.pk, "url": f"/chat/bubbles/{room.pk}/"},
    )]  # fmt: skip


def test_a_counsellor_joining_and_a_bubble_ending_are_told_to_the_room(
    child, mentor, counsellor, bubble
):
    with capture_events() as sent:
        bubbles.bubble_join(counsellor=counsellor, room=bubble)
    [(groups, kind, frame)] = sent_as(sent)
    assert groups == (group_name("room", bubble.pk),) and kind == "chat.notice"
    assert "carol-counsellor from the MiniMentors team has joined" in frame["text"]
    Room.objects.filter(pk=bubble.pk).update(risk_flagged_at=timezone.now())
    with capture_events() as sent:
        bubbles.bubble_close(user=child, room=bubble)
    ended, debrief = sent_as(sent)
    assert ended[0] == (group_name("room", bubble.pk),) and ended[2]["ended"] is True
    assert debrief[0] == (group_name("user", mentor.pk),) and debrief[2]["debrief"] is True


def test_presence_is_sent_to_the_room_with_the_committed_count(child, general_room):
    from minimentors.sockets import socket_open

    with capture_events() as sent:
        socket_open(
            user=child, channel_name="sock.1", place=selectors.room_place(general_room),
            role="child",
        )  # fmt: skip
        services.room_presence_send(room=general_room)
    assert sent_as(sent) == [(
        (group_name("room", general_room.pk),),
        "chat.presence",
        {"type": "presence", "children": 1, "mentors": []},
    )]  # fmt: skip
