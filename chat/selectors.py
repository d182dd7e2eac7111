"""Chat reads: history, what a reconnecting socket missed, who is online, the bubble queue.

Visibility rules live here once: members see ``shown_text`` only; a held message (a cry for
help in a general room) is seen by its author and by staff, never by other members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from minimentors.models import OpenSocket
from minimentors.roles import is_staff_member
from minimentors.sockets import STALE_AFTER

from .models import BubbleRequest, Membership, Message, Room

User = get_user_model()

RESUME_LIMIT = 500
# The key of the mentors' queue group (``group_name("queue", QUEUE_MENTORS)``).
QUEUE_MENTORS = "mentors"


def message_frame(message: Message, *, client_id: str | None = None) -> dict[str, Any]:
    """The contract's message frame. ``client_id`` is passed only for the author's sockets."""
    frame: dict[str, Any] = {
        "type": "message",
        "id": message.pk,
        "room": message.room.label,
        "author": message.author.username,
        "role": message.author_role,
        "text": message.shown_text,
        "sent_at": message.sent_at.isoformat(),
    }
    if client_id:
        frame["client_id"] = client_id
        if message.held:  # only its author (and staff) ever see a held message
            frame["held"] = True
    return frame


def frame_for_reader(message: Message, user: Any) -> dict[str, Any]:
    own = message.author_id == getattr(user, "pk", None)
    return message_frame(message, client_id=message.client_id if own else None)


def visible_messages(*, room: Room, user: Any) -> QuerySet[Message]:
    """Messages of ``room`` that ``user`` may see (held ones only for their author and staff)."""
    messages = Message.objects.filter(room=room).select_related("author", "room")
    if not is_staff_member(user):
        messages = messages.filter(Q(held=False) | Q(author_id=getattr(user, "pk", None)))
    return messages


def room_history(*, room: Room, user: Any) -> list[Message]:
    """The last ``CHAT_HISTORY_LENGTH`` visible messages, oldest first."""
    latest = visible_messages(room=room, user=user).order_by("-id")[: settings.CHAT_HISTORY_LENGTH]
    return list(reversed(latest))


def messages_after(*, room: Room, user: Any, after_id: int) -> list[dict[str, Any]]:
    """Frames for what ``user`` missed after message ``after_id``, in order."""
    messages = visible_messages(room=room, user=user).filter(id__gt=after_id).order_by("id")
    return [frame_for_reader(message, user) for message in messages[:RESUME_LIMIT]]


def moderation_history(*, room: Room, limit: int = 10) -> list[tuple[str, str]]:
    """Recent (author, original text) pairs of ``room``, oldest first, for the engine's
    conversation checks (grooming builds up over several messages). Asked for every message,
    so the query is written out by hand (building it through the ORM took six times as long)."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT COALESCE(u.username, ''), m.original_text "  # noqa: S608 (names quoted, values bound)
        f"FROM {quote(Message._meta.db_table)} m "
        f"LEFT JOIN {quote(User._meta.db_table)} u ON u.id = m.author_id "
        "WHERE m.room_id = %s ORDER BY m.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [room.pk, limit])
        rows = cursor.fetchall()
    return [(author, text) for author, text in reversed(rows)]


def message_context(message_id: int, span: int = 10) -> list[dict[str, Any]]:
    """For staff: the message with ``span`` messages before and after it in its room, with
    the original text and what members saw, oldest first."""
    subject = Message.objects.filter(pk=message_id).only("id", "room_id").first()
    if subject is None:
        return []
    in_room = Message.objects.filter(room_id=subject.room_id).select_related("author")
    before = list(in_room.filter(id__lt=message_id).order_by("-id")[:span])
    after = list(in_room.filter(id__gt=message_id).order_by("id")[:span])
    rows = [*reversed(before), in_room.get(pk=message_id), *after]
    return [
        {
            "id": m.pk,
            "author": m.author.username if m.author else "",
            "text": m.original_text,
            "shown": m.shown_text,
            "sent_at": m.sent_at,
            "is_subject": m.pk == message_id,
        }
        for m in rows
    ]


@dataclass(frozen=True)
class RoomPresence:
    children: int
    mentors: tuple[str, ...]

    def frame(self) -> dict[str, Any]:
        return {"type": "presence", "children": self.children, "mentors": list(self.mentors)}


def room_place(room: Room) -> str:
    """What an open socket on ``room`` records as its place (``minimentors.OpenSocket``)."""
    return f"room.{room.pk}"


def room_presence(*, room: Room) -> RoomPresence:
    """How many children and which mentors have the room open now, across every process."""
    rows = OpenSocket.objects.filter(
        place=room_place(room), seen_at__gte=timezone.now() - STALE_AFTER
    ).values_list("user_id", "role", "user__username")
    children = {user_id for user_id, role, _ in rows if role == "child"}
    mentors = sorted({name for _, role, name in rows if role == "mentor"})
    return RoomPresence(children=len(children), mentors=tuple(mentors))


def general_rooms() -> QuerySet[Room]:
    return Room.objects.filter(kind=Room.Kind.GENERAL, closed_at__isnull=True).order_by("name")


def waiting_bubble_requests() -> QuerySet[BubbleRequest]:
    return BubbleRequest.objects.filter(status=BubbleRequest.Status.REQUESTED).select_related(
        "child"
    )


def child_waiting_request(*, child: Any) -> BubbleRequest | None:
    return waiting_bubble_requests().filter(child=child).first()


def open_bubbles_of(*, user: Any) -> QuerySet[Room]:
    return Room.objects.filter(
        kind=Room.Kind.BUBBLE, closed_at__isnull=True, memberships__user=user
    ).order_by("-created_at")


def open_bubble_count(*, user: Any) -> int:
    return open_bubbles_of(user=user).count()


def all_open_bubbles() -> QuerySet[Room]:
    return Room.objects.filter(kind=Room.Kind.BUBBLE, closed_at__isnull=True).order_by(
        "-created_at"
    )


def debriefs_for_mentor(*, mentor: Any, days: int = 7) -> QuerySet[Room]:
    """Bubbles where a risk was flagged and that have ended: the mentor is offered a debrief."""
    since = timezone.now() - timedelta(days=days)
    return Room.objects.filter(
        kind=Room.Kind.BUBBLE,
        memberships__user=mentor,
        memberships__role=Membership.Role.MENTOR,
        risk_flagged_at__isnull=False,
        closed_at__gte=since,
    ).order_by("-closed_at")


def bubble_members(*, room: Room) -> list[Membership]:
    return list(room.memberships.select_related("user").order_by("joined_at"))


def bubble_child(room: Room) -> Any:
    """The child a bubble is for (None if it has none)."""
    membership = room.memberships.select_related("user").filter(role=Membership.Role.CHILD).first()
    return membership.user if membership else None


def recent_message_ids(room: Room, limit: int = 10) -> list[int]:
    """The ids of the last ``limit`` messages of ``room``, oldest first."""
    ids = Message.objects.filter(room=room).order_by("-id").values_list("id", flat=True)[:limit]
    return sorted(ids)


def bubble_request_frame(request: BubbleRequest) -> dict[str, Any]:
    return {
        "type": "bubble_request",
        "id": request.pk,
        "child": request.child.username,
        "requested_at": request.created_at.isoformat(),
    }
