"""The access gates of the chat: one per object, used by pages and sockets alike."""

from __future__ import annotations

from typing import Any

from minimentors.access import NotFound

from . import permissions
from .models import Room


def access_room(member: Any, slug: str) -> Room:
    """The open general room ``slug``, if ``member`` may read it; else ``NotFound``."""
    room = Room.objects.filter(slug=slug, kind=Room.Kind.GENERAL, closed_at__isnull=True).first()
    if room is None or not permissions.can_read_room(member, room):
        raise NotFound
    return room


def access_thread(member: Any, thread_id: int | str) -> Room:
    """The private-message thread ``thread_id``, if ``member`` may read it; else ``NotFound``.
    A staff member reading a thread that is not theirs (nor the moderators' inbox, for a
    moderator) is audited here."""
    try:
        key = int(thread_id)
    except (TypeError, ValueError):
        raise NotFound from None
    room = Room.objects.filter(pk=key, kind=Room.Kind.THREAD).first()
    if room is None or not permissions.can_read_thread(member, room):
        raise NotFound
    if not permissions.is_room_member(member, room) and not (
        room.staff_inbox and permissions.is_moderator(member)
    ):
        from minimentors.audit import audit_record

        audit_record(actor=member, action="thread.staff_read", target=room)
    return room


def access_bubble(member: Any, bubble_id: int | str) -> Room:
    """The bubble ``bubble_id``, if ``member`` may read it; else ``NotFound``. A staff member
    reading a bubble they are not in is audited here, so no page or socket can forget it."""
    try:
        key = int(bubble_id)
    except (TypeError, ValueError):
        raise NotFound from None
    room = Room.objects.filter(pk=key, kind=Room.Kind.BUBBLE).first()
    if room is None or not permissions.can_read_bubble(member, room):
        raise NotFound
    if permissions.bubble_read_needs_audit(member, room):
        from minimentors.audit import audit_record

        audit_record(actor=member, action="bubble.staff_read", target=room)
    return room
