"""The bubble request workflow: a child asks to talk to a MiniMentor, a mentor accepts (the
first one wins) or the child cancels or the request expires, and the bubble it opened ends.
A request changes status only through ``bubble_request_transition``, one conditional UPDATE
checked against ``BUBBLE_REQUEST_TRANSITIONS``; every status change writes an audit row, and
every event (the mentors' queue, the child's lobby, the bubble's room) leaves through
``minimentors.events.send_event_on_commit``, so nothing is broadcast before it is stored.
Refusals are ``chat.services.ChatError``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minimentors.audit import audit_record
from minimentors.events import group_name, send_event_on_commit
from minimentors.hours import hours_status
from minimentors.models import User
from minimentors.roles import is_child

from . import permissions, selectors
from .models import BubbleRequest, Membership, Room
from .selectors import QUEUE_MENTORS
from .services import HELPLINE_WORDS, ChatError, InvalidTransition, notice
from .signals import bubble_ended

Status = BubbleRequest.Status
BUBBLE_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REQUESTED: frozenset({Status.ACCEPTED, Status.CANCELLED, Status.EXPIRED}),
    Status.ACCEPTED: frozenset({Status.ENDED}),
    Status.CANCELLED: frozenset(),
    Status.EXPIRED: frozenset(),
    Status.ENDED: frozenset(),
}


def bubble_request_transition(
    *, request: BubbleRequest, to_status: str, actor: Any, **changes: Any
) -> bool:
    """Move ``request`` from its current status to ``to_status`` and write the audit row.

    The change is one conditional UPDATE (``WHERE status = <current>``): when two people act
    at once exactly one wins and this returns ``False`` for the others. Raises
    ``InvalidTransition`` if the table does not allow the change. Call inside a transaction.
    """
    from_status = request.status
    if to_status not in BUBBLE_REQUEST_TRANSITIONS[from_status]:
        raise InvalidTransition(from_status, to_status)
    updated = BubbleRequest.objects.filter(pk=request.pk, status=from_status).update(
        status=to_status, **changes
    )
    if not updated:
        return False
    request.status = to_status
    for name, value in changes.items():
        setattr(request, name, value)
    audit_record(
        actor=actor,
        action=f"bubble_request.{to_status}",
        target=request,
        from_status=from_status,
        child=request.child_id,
    )
    return True


def _accepted(request: BubbleRequest, *, helper: Any, room: Room) -> bool:
    """``request`` accepted by ``helper`` (a mentor, or a counsellor who opened the bubble)
    into ``room``; False when someone else's change came first."""
    return bubble_request_transition(
        request=request,
        to_status=Status.ACCEPTED,
        actor=helper,
        mentor=helper,
        room=room,
        accepted_at=timezone.now(),
    )


def _queue_taken(request: BubbleRequest) -> None:
    send_event_on_commit(
        {"type": "chat.queue", "frame": {"type": "bubble_request_taken", "id": request.pk}},
        [group_name("queue", QUEUE_MENTORS)],
    )


def _tell_child(child_id: int, frame: dict[str, Any]) -> None:
    send_event_on_commit({"type": "chat.queue", "frame": frame}, [group_name("user", child_id)])


def _tell_child_accepted(child_id: int, frame_id: int, room: Room) -> None:
    """The child's lobby moves to their bubble (``frame_id``: the request's, or the room's
    when a counsellor opened it without one; the lobby reads only the URL)."""
    _tell_child(
        child_id,
        {"type": "bubble_accepted", "id": frame_id, "url": f"/chat/bubbles/{room.pk}/"},
    )


@transaction.atomic
def bubble_request_create(*, child: Any) -> BubbleRequest:
    """A child asks to talk to a MiniMentor. Refused kindly out of hours. A child already
    waiting gets their waiting request back."""
    if not permissions.can_request_bubble(child):
        raise ChatError("invalid", "Only children can ask for a MiniMentor.")
    if not hours_status().is_open:
        raise ChatError(
            "closed",
            "MiniMentors are away right now, so you can't ask for a chat. " + HELPLINE_WORDS,
        )
    waiting = selectors.child_waiting_request(child=child)
    if waiting is not None:
        return waiting
    request = BubbleRequest.objects.create(child=child)
    audit_record(actor=child, action="bubble_request.requested", target=request)
    frame = selectors.bubble_request_frame(request)
    send_event_on_commit(
        {"type": "chat.queue", "frame": frame}, [group_name("queue", QUEUE_MENTORS)]
    )
    return request


def _bubble_room_create(*, child: Any, helper: Any, helper_role: str) -> Room:
    room = Room.objects.create(kind=Room.Kind.BUBBLE, name=f"{child.username}'s chat")
    Membership.objects.create(room=room, user=child, role=Membership.Role.CHILD)
    Membership.objects.create(room=room, user=helper, role=helper_role)
    return room


def bubble_request_accept(*, mentor: Any, request_id: int) -> Room:
    """The first mentor to accept wins; the others get ``ChatError("taken")``. A mentor with
    ``MENTOR_MAX_BUBBLES`` open bubbles gets ``ChatError("too_many")``. The mentor's row is
    locked so two tabs of one mentor cannot pass the cap together."""
    if not permissions.can_accept_bubble(mentor):
        raise ChatError("invalid", "Only MiniMentors can accept a chat.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=mentor.pk).first()
        if selectors.open_bubble_count(user=mentor) >= settings.MENTOR_MAX_BUBBLES:
            raise ChatError(
                "too_many",
                f"You already have {settings.MENTOR_MAX_BUBBLES} chats open. "
                "Finish one before you take another.",
            )
        request = BubbleRequest.objects.select_related("child").filter(pk=request_id).first()
        if request is None or request.status != Status.REQUESTED:
            raise ChatError("taken", "Another MiniMentor already took that chat. Thank you!")
        room = _bubble_room_create(
            child=request.child, helper=mentor, helper_role=Membership.Role.MENTOR
        )
        if not _accepted(request, helper=mentor, room=room):
            # Someone else's UPDATE came first: roll back this room.
            raise ChatError("taken", "Another MiniMentor already took that chat. Thank you!")
        _queue_taken(request)
        _tell_child_accepted(request.child_id, request.pk, room)
    return room


@transaction.atomic
def bubble_request_cancel(*, child: Any, request_id: int) -> None:
    request = BubbleRequest.objects.filter(pk=request_id, child=child).first()
    if request is None or request.status != Status.REQUESTED:
        return
    if bubble_request_transition(request=request, to_status=Status.CANCELLED, actor=child):
        _queue_taken(request)


def bubble_requests_expire(*, now: Any = None) -> int:
    """Waiting requests older than ``settings.BUBBLE_REQUEST_EXPIRES_AFTER``, and every waiting
    request once MiniMentors are away, expire; the child is told where to get help."""
    now = now or timezone.now()
    waiting = BubbleRequest.objects.filter(status=Status.REQUESTED)
    if hours_status(now).is_open:
        waiting = waiting.filter(created_at__lt=now - settings.BUBBLE_REQUEST_EXPIRES_AFTER)
    expired = 0
    for request in waiting:
        with transaction.atomic():
            if bubble_request_transition(request=request, to_status=Status.EXPIRED, actor=None):
                expired += 1
                _queue_taken(request)
                _tell_child(
                    request.child_id,
                    {
                        "type": "bubble_request_ended",
                        "id": request.pk,
                        "text": "Sorry, no MiniMentor was free this time. You can ask again "
                        "later. " + HELPLINE_WORDS,
                    },
                )
    return expired


@transaction.atomic
def bubble_open_with_child(*, counsellor: Any, child: Any) -> Room:
    """A counsellor starts a bubble with a child (a waiting request of theirs is accepted by
    it). The child's lobby moves to the bubble by itself."""
    if not permissions.can_open_bubble_with_child(counsellor) or not is_child(child):
        raise ChatError("invalid", "Counsellors can start a chat with a child.")
    room = _bubble_room_create(
        child=child, helper=counsellor, helper_role=Membership.Role.COUNSELLOR
    )
    waiting = selectors.child_waiting_request(child=child)
    if waiting is not None and _accepted(waiting, helper=counsellor, room=room):
        _queue_taken(waiting)
    audit_record(actor=counsellor, action="bubble.opened_by_counsellor", target=room)
    _tell_child_accepted(child.pk, room.pk, room)
    return room


@transaction.atomic
def bubble_join(*, counsellor: Any, room: Room) -> Membership:
    """A counsellor joins a bubble to post in it (a warm handover)."""
    if not permissions.can_join_bubble(counsellor, room):
        raise ChatError("invalid", "Only counsellors can join a chat.")
    membership, created = Membership.objects.get_or_create(
        room=room, user=counsellor, defaults={"role": Membership.Role.COUNSELLOR}
    )
    if created:
        audit_record(actor=counsellor, action="bubble.counsellor_joined", target=room)
        send_event_on_commit(
            {
                "type": "chat.notice",
                "user_ids": None,
                "frame": notice(f"{counsellor.username} from the MiniMentors team has joined."),
            },
            [group_name("room", room.pk)],
        )
    return membership


@transaction.atomic
def bubble_close(*, user: Any, room: Room) -> bool:
    """End a bubble (any member of it). Counselling hears of it (``bubble_ended``): after a
    bubble where a risk was flagged, the mentor is offered a debrief."""
    if not permissions.can_end_bubble(user, room):
        return False
    ended_at = timezone.now()
    if not Room.objects.filter(pk=room.pk, closed_at__isnull=True).update(closed_at=ended_at):
        return False
    room.closed_at = ended_at
    request = BubbleRequest.objects.filter(room=room, status=Status.ACCEPTED).first()
    if request is not None:
        bubble_request_transition(request=request, to_status=Status.ENDED, actor=user)
    audit_record(actor=user, action="bubble.ended", target=room)
    send_event_on_commit(
        {
            "type": "chat.notice",
            "user_ids": None,
            "frame": notice(f"This chat has ended. {user.username} ended it.", ended=True),
        },
        [group_name("room", room.pk)],
    )
    bubble_ended.send(sender=Room, room=room, ended_by=user)
    return True
