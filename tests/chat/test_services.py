"""post_message and the bubble workflow, through the services (the one way chat writes)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chat import bubbles, permissions, services
from chat.access import access_bubble
from chat.models import BubbleRequest, Message, Room
from minimentors.access import NotFound
from minimentors.models import AuditEntry
from minimentors.roles import Role
from tests.chat.conftest import membership_roles, raised_alerts

pytestmark = pytest.mark.django_db


def post(author, room, text, client_id=""):
    return services.post_message(author=author, room=room, text=text, client_id=client_id)


# --- post_message ---------------------------------------------------------------------------


def test_a_clean_message_is_stored_with_its_verdict(child, joined):
    room = joined(child)
    result = post(child, room, "hello everyone", "c-1")
    message = Message.objects.get()
    assert result.message == message and not result.duplicate
    assert message.shown_text == message.original_text == "hello everyone"
    assert message.action == "allow" and message.author_role == "child" and not message.held


def test_a_message_is_broadcast_only_after_it_is_stored(
    child, joined, django_capture_on_commit_callbacks
):
    room = joined(child)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        post(child, room, "hello")
        assert callbacks == []  # nothing sent while the transaction is open
    assert len(callbacks) == 1


def test_a_swear_word_is_shown_as_blocked_and_the_sender_is_told_why(child, joined):
    room = joined(child)
    result = post(child, room, "this is shit")
    message = Message.objects.get()
    assert message.shown_text == "*blocked*" and message.original_text == "this is shit"
    assert message.action == "block" and "profanity" in message.categories
    [notice] = [f for f in result.sender_frames if f["type"] == "notice"]
    assert "rude word" in notice["text"] and notice["link"] == "/rules/"


def test_a_cry_for_help_in_a_general_room_is_held_back_and_answered_and_alerted(child, joined):
    room = joined(child)
    result = post(child, room, "I want to kill myself")
    message = Message.objects.get()
    assert message.held and message.action == "flag"
    frames = result.sender_frames
    assert frames[0]["type"] == "message" and frames[0]["text"] == "I want to kill myself"
    assert "ChildLine" in frames[1]["text"] and "0800 1111" in frames[1]["text"]
    [alert] = raised_alerts()
    assert "self_harm" in alert["categories"] and alert["member__username"] == child.username
    assert alert["message_id"] == message.pk and alert["room"] == "general"


def test_a_held_message_is_seen_by_its_author_and_staff_but_not_by_other_children(
    child, other_child, counsellor, joined
):
    from chat import selectors

    room = joined(child, other_child)
    post(child, room, "I want to kill myself")
    post(other_child, room, "hi")
    texts = lambda user: [m.shown_text for m in selectors.room_history(room=room, user=user)]  # noqa: E731
    assert texts(other_child) == ["hi"]
    assert texts(child) == ["I want to kill myself", "hi"]
    assert texts(counsellor) == ["I want to kill myself", "hi"]
    assert [
        f["text"] for f in selectors.messages_after(room=room, user=other_child, after_id=0)
    ] == ["hi"]


def test_a_cry_for_help_in_a_bubble_is_shown_to_the_mentor_and_a_counsellor_is_asked_to_join(
    child, mentor, bubble
):
    result = post(child, bubble, "someone hurts me at home")
    message = Message.objects.get()
    assert not message.held and message.shown_text == "someone hurts me at home"
    bubble.refresh_from_db()
    assert bubble.risk_flagged_at is not None
    kinds = [alert["kind"] for alert in raised_alerts()]
    assert "message" in kinds and "conversation" in kinds
    assert any("ChildLine" in f.get("text", "") for f in result.sender_frames)


def test_a_flagged_message_raises_an_alert(child, joined):
    room = joined(child)
    post(child, room, "what school do you go to? send me a pic")
    message = Message.objects.get()
    assert message.action == "flag"
    [alert] = raised_alerts()
    assert alert["message_id"] == message.pk and alert["kind"] == "message"


def statements(queries) -> list[str]:
    """The first word of each statement that is not a SELECT."""
    return [q["sql"].split()[0] for q in queries if not q["sql"].startswith("SELECT")]


@pytest.mark.django_db(transaction=True)
def test_a_message_that_raises_nothing_is_stored_by_one_insert_alone(child, joined):
    room = joined(child)
    with CaptureQueriesContext(connection) as queries:
        post(child, room, "hello everyone", "c-1")
    assert statements(queries) == ["INSERT"]


@pytest.mark.django_db(transaction=True)
def test_a_flagged_message_commits_together_with_its_alert(child, joined):
    room = joined(child)
    with CaptureQueriesContext(connection) as queries:
        post(child, room, "what school do you go to? send me a pic")
    written = statements(queries)
    assert written[0] == "BEGIN" and written[-1] == "COMMIT"
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert any('"chat_message"' in sql for sql in inserts)
    assert any('"moderation_alert"' in sql for sql in inserts)


def test_a_message_resent_with_the_same_client_id_is_stored_once(child, joined):
    room = joined(child)
    first = post(child, room, "hello", "same-id")
    again = post(child, room, "hello", "same-id")
    assert Message.objects.count() == 1
    assert again.duplicate and again.message.pk == first.message.pk
    assert again.sender_frames[0]["id"] == first.message.pk
    assert again.sender_frames[0]["client_id"] == "same-id"


def test_two_members_may_use_the_same_client_id(child, other_child, joined):
    room = joined(child, other_child)
    post(child, room, "hello", "abc")
    post(other_child, room, "hello", "abc")
    assert Message.objects.count() == 2


def test_too_many_messages_are_refused_and_not_stored(child, joined, settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 3
    room = joined(child)
    for number in range(3):
        post(child, room, f"message {number}")
    with pytest.raises(services.ChatError) as refused:
        post(child, room, "one too many")
    assert refused.value.code == "rate_limited"
    assert Message.objects.count() == 3


def test_the_rate_limit_window_slides(child, joined, settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 2
    settings.CHAT_RATE_LIMIT_SECONDS = 10
    room = joined(child)
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False) as traveller:
        post(child, room, "one")
        traveller.shift(6)
        post(child, room, "two")
        traveller.shift(5)  # "one" is now 11 s old
        post(child, room, "three")
        with pytest.raises(services.ChatError):
            post(child, room, "four")


def test_a_message_over_the_length_limit_is_refused(child, joined, settings):
    room = joined(child)
    with pytest.raises(services.ChatError) as refused:
        post(child, room, "a" * (settings.CHAT_MAX_MESSAGE_CHARS + 1))
    assert refused.value.code == "too_long" and not Message.objects.exists()


def test_an_empty_message_is_refused(child, joined):
    with pytest.raises(services.ChatError) as refused:
        post(child, joined(child), "   ")
    assert refused.value.code == "invalid"


def test_a_deactivated_account_cannot_post(child, joined):
    room = joined(child)
    child.is_active = False
    child.save()
    with pytest.raises(services.ChatError) as refused:
        post(child, room, "hello")
    assert refused.value.code == "blocked"


def test_a_muted_member_gets_the_muted_error(child, joined, monkeypatch):
    monkeypatch.setattr(permissions, "posting_restriction", everyone_is_muted)
    room = joined(child)
    with pytest.raises(services.ChatError) as refused:
        post(child, room, "hello")
    assert refused.value.code == "muted" and not Message.objects.exists()


def everyone_is_muted(user):
    return "muted"


def test_staff_who_only_read_cannot_post_in_a_bubble(moderator, bubble):
    with pytest.raises(services.ChatError) as refused:
        post(moderator, bubble, "hello")
    assert refused.value.code == "invalid"


def test_another_child_cannot_post_in_a_bubble(other_child, bubble):
    with pytest.raises(services.ChatError):
        post(other_child, bubble, "hello")


def test_when_moderation_fails_nothing_is_stored_and_staff_are_alerted(child, joined, monkeypatch):
    import moderation.engine

    def broken(*args, **kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr(moderation.engine, "review", broken)  # the engine itself fails
    room = joined(child)
    with pytest.raises(services.ChatError) as refused:
        post(child, room, "hello")
    assert refused.value.code == "unavailable"
    assert not Message.objects.exists()
    [alert] = raised_alerts()
    assert alert["kind"] == "system" and "oderation failed" in alert["reason"]


def test_when_the_channel_layer_is_down_the_sender_is_told(
    child, joined, monkeypatch, django_capture_on_commit_callbacks
):
    from channels.layers import get_channel_layer

    async def down(group, message):
        raise ConnectionError("layer down")

    monkeypatch.setattr(get_channel_layer(), "group_send", down)
    room = joined(child)
    with django_capture_on_commit_callbacks(execute=True):
        result = post(child, room, "hello")
    assert not result.delivery.ok
    assert Message.objects.count() == 1  # stored: a resume will bring it


# --- bubble requests ---------------------------------------------------------------------------


def test_a_child_asks_for_a_bubble_and_a_mentor_accepts_it(child, mentor):
    request = bubbles.bubble_request_create(child=child)
    room = bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == "accepted" and request.mentor == mentor and request.room == room
    assert room.kind == Room.Kind.BUBBLE
    assert membership_roles(room) == {child.username: "child", mentor.username: "mentor"}
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "bubble_request.requested" in actions and "bubble_request.accepted" in actions


def test_only_the_first_mentor_to_accept_gets_the_bubble(child, mentor, make_member):
    second = make_member(Role.MENTOR, "zed-mentor")
    request = bubbles.bubble_request_create(child=child)
    bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
    with pytest.raises(services.ChatError) as refused:
        bubbles.bubble_request_accept(mentor=second, request_id=request.pk)
    assert refused.value.code == "taken"
    assert Room.objects.filter(kind="bubble").count() == 1


def test_a_losing_accept_of_a_race_creates_no_room(child, mentor, make_member):
    """The conditional UPDATE decides: a request another mentor moved since it was read loses."""
    second = make_member(Role.MENTOR, "zed-mentor")
    request = bubbles.bubble_request_create(child=child)
    stale = BubbleRequest.objects.get(pk=request.pk)
    bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
    with transaction.atomic():
        assert not bubbles.bubble_request_transition(
            request=stale, to_status="accepted", actor=second, mentor=second
        )
    assert BubbleRequest.objects.get(pk=request.pk).mentor == mentor


def test_a_transition_the_table_does_not_allow_is_refused(child):
    request = bubbles.bubble_request_create(child=child)
    bubbles.bubble_request_cancel(child=child, request_id=request.pk)
    request.refresh_from_db()
    with pytest.raises(services.InvalidTransition):
        bubbles.bubble_request_transition(request=request, to_status="accepted", actor=None)


def test_a_mentor_holds_at_most_the_configured_number_of_bubbles(mentor, make_member, settings):
    settings.MENTOR_MAX_BUBBLES = 2
    children = [make_member(Role.CHILD, f"kid{number}") for number in range(3)]
    requests = [bubbles.bubble_request_create(child=kid) for kid in children]
    for request in requests[:2]:
        bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
    with pytest.raises(services.ChatError) as refused:
        bubbles.bubble_request_accept(mentor=mentor, request_id=requests[2].pk)
    assert refused.value.code == "too_many"
    assert BubbleRequest.objects.get(pk=requests[2].pk).status == "requested"


def test_an_ended_bubble_frees_a_place_for_the_mentor(mentor, make_member, settings):
    settings.MENTOR_MAX_BUBBLES = 1
    first, second = make_member(Role.CHILD, "kid1"), make_member(Role.CHILD, "kid2")
    room = bubbles.bubble_request_accept(
        mentor=mentor, request_id=bubbles.bubble_request_create(child=first).pk
    )
    assert bubbles.bubble_close(user=first, room=room)
    bubbles.bubble_request_accept(
        mentor=mentor, request_id=bubbles.bubble_request_create(child=second).pk
    )
    assert BubbleRequest.objects.filter(status="ended").count() == 1


def test_out_of_hours_a_child_cannot_ask_for_a_bubble(child, settings):
    settings.OPENING_HOURS = "08:00-20:00"
    with (
        time_machine.travel("2026-03-02 22:30:00+00:00", tick=False),
        pytest.raises(services.ChatError) as refused,
    ):
        bubbles.bubble_request_create(child=child)
    assert refused.value.code == "closed" and "0800 1111" in refused.value.message
    assert not BubbleRequest.objects.exists()


def test_waiting_requests_expire_when_minentors_go_away(child, settings):
    request = bubbles.bubble_request_create(child=child)
    settings.OPENING_HOURS = "08:00-20:00"
    with time_machine.travel("2026-03-02 21:00:00+00:00", tick=False):
        assert bubbles.bubble_requests_expire() == 1
    request.refresh_from_db()
    assert request.status == "expired"


def test_a_child_asking_twice_keeps_one_waiting_request(child):
    first = bubbles.bubble_request_create(child=child)
    assert bubbles.bubble_request_create(child=child).pk == first.pk


def test_a_counsellor_can_open_a_bubble_with_a_child(child, counsellor):
    room = bubbles.bubble_open_with_child(counsellor=counsellor, child=child)
    assert membership_roles(room) == {child.username: "child", counsellor.username: "counsellor"}
    post(counsellor, room, "Hello, I'm a counsellor")
    assert Message.objects.get().author == counsellor


def test_a_counsellor_who_joins_a_bubble_may_post_in_it(counsellor, bubble):
    with pytest.raises(services.ChatError):
        post(counsellor, bubble, "hello")
    bubbles.bubble_join(counsellor=counsellor, room=bubble)
    post(counsellor, bubble, "hello, I'm here to help")
    assert Message.objects.count() == 1


def test_a_staff_read_of_a_bubble_is_audited_but_a_members_is_not(
    child, other_child, moderator, bubble
):
    assert access_bubble(child, bubble.pk) == bubble
    assert not AuditEntry.objects.filter(action="bubble.staff_read").exists()
    assert access_bubble(moderator, str(bubble.pk)) == bubble
    entry = AuditEntry.objects.get(action="bubble.staff_read")
    assert entry.actor == moderator and entry.target_id == str(bubble.pk)
    # Another child, a missing id and a bad id are one and the same "not found".
    for member, key in ((other_child, bubble.pk), (child, 10**9), (child, "-4"), (child, "x")):
        with pytest.raises(NotFound):
            access_bubble(member, key)


def test_nobody_can_post_in_an_ended_bubble(child, bubble):
    bubbles.bubble_close(user=child, room=bubble)
    with pytest.raises(services.ChatError) as refused:
        post(child, bubble, "hello?")
    assert "ended" in refused.value.message


def test_reporting_a_message_alerts_moderators(child, other_child, joined):
    room = joined(child, other_child)
    message = post(other_child, room, "you are silly").message
    services.message_report(reporter=child, message=message, text="it was mean")
    [alert] = raised_alerts()
    assert alert["kind"] == "report" and alert["message_id"] == message.pk


def test_a_member_cannot_report_a_held_message_they_cannot_see(child, other_child, joined):
    room = joined(child, other_child)
    message = post(child, room, "I want to kill myself").message
    with pytest.raises(services.ChatError):
        services.message_report(reporter=other_child, message=message, text="")
