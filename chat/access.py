"""The access gates of the chat: one per object, used by pages and sockets alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minimentors.access import NotFound
from minimentors.audit import audit_record

from . import permissions
from .models import Room


def access_room(member: Any, slug: str) -> Room:
    """The open general room ``slug``, if ``member`` may read it; else ``NotFound``."""
    room = Room.objects.filter(slug=slug, kind=Room.Kind.GENERAL, closed_at__isnull=True).first()
    if room is None or not permissions.can_read_room(member, room):
        raise NotFound
    return room


def _private_room(
    member: Any, room_id: int | str, kind: str, may_read: Callable[[Any, Room], bool]
) -> Room:
    """The bubble or thread ``room_id`` of ``kind`` if ``member`` may read it; a staff read of
    one they are not in is audited here, so no page or socket can forget it."""
    try:
        key = int(room_id)
    except (TypeError, ValueError):
        raise NotFound from None
    room = Room.objects.filter(pk=key, kind=kind).first()
    if room is None or not may_read(member, room):
        raise NotFound
    moderators_inbox = room.staff_inbox and permissions.is_moderator(member)
    if permissions.private_read_needs_audit(member, room) and not moderators_inbox:
        audit_record(actor=member, action=f"{kind}.staff_read", target=room)
    return room


def access_thread(member: Any, thread_id: int | str) -> Room:
    """The private-message thread ``thread_id``, if ``member`` may read it; else ``NotFound``
    (the moderators' shared inbox is every moderator's own, so not audited for them)."""
    return _private_room(member, thread_id, Room.Kind.THREAD, permissions.can_read_thread)


def access_bubble(member: Any, bubble_id: int | str) -> Room:
    """The bubble ``bubble_id``, if ``member`` may read it; else ``NotFound``."""
    return _private_room(member, bubble_id, Room.Kind.BUBBLE, permissions.can_read_bubble)
