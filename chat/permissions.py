"""Who may read and post where. Used by views, consumers, selectors and admin alike.

Reading a bubble one is not a member of is a staff act that must be audited: the access gates
(``chat.access.access_bubble``, ``access_thread``) write that audit row (this module only
answers questions).
"""

from __future__ import annotations

from typing import Any

from minimentors.roles import (
    is_child,
    is_counsellor,
    is_member,
    is_mentor,
    is_moderator,
    is_staff_member,
    role_names,
)
from moderation.sanctions import member_restriction

from .models import Membership, Room

# Why a member may not post (error codes of the websocket contract).
MUTED = "muted"
BLOCKED = "blocked"


def is_room_member(user: Any, room: Room) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(room=room, user_id=user.pk).exists()


def posting_restriction(user: Any) -> str | None:
    """``"blocked"`` if the account may not use the site, ``"muted"`` if it may read but not
    post, else ``None``.

    Deactivated accounts are blocked; otherwise the moderators' sanctions decide
    (``moderation.sanctions.member_restriction``). Every chat door asks through here.
    """
    if not getattr(user, "is_authenticated", False):
        return BLOCKED
    if not user.is_active:
        return BLOCKED
    return member_restriction(user)


def can_use_chat(user: Any) -> bool:
    """A logged-in member or staff member who is not blocked from the site."""
    return bool(role_names(user)) and posting_restriction(user) != BLOCKED


def can_read_room(user: Any, room: Room) -> bool:
    """General rooms: every member and staff member. Bubbles: see ``can_read_bubble``;
    threads: ``can_read_thread``."""
    if room.is_bubble:
        return can_read_bubble(user, room)
    if room.is_thread:
        return can_read_thread(user, room)
    return can_use_chat(user)


def can_post_in_room(user: Any, room: Room) -> bool:
    """General rooms: members (children, mentors) and counsellors. Bubbles: only the people in
    it, while it is open. Staff who only read may not post."""
    return can_use_chat(user) and room_takes_posts_from(user, room)


def room_takes_posts_from(user: Any, room: Room) -> bool:
    """``can_post_in_room`` without the sanction check, for callers that have just made it
    (posting a message asks for the member's restriction once, not twice)."""
    if not role_names(user) or not room.is_open:
        return False
    if room.is_bubble:
        return is_room_member(user, room)
    if room.is_thread:
        return is_room_member(user, room) or (room.staff_inbox and is_moderator(user))
    return is_member(user) or is_counsellor(user)


def can_read_bubble(user: Any, room: Room) -> bool:
    """Its members, and staff (every staff read is audited by the caller)."""
    if not room.is_bubble or not can_use_chat(user):
        return False
    return is_room_member(user, room) or is_staff_member(user)


def can_read_thread(user: Any, room: Room) -> bool:
    """Its members; every moderator for a thread with the moderators; other staff read it
    as they read bubbles (audited by the gate)."""
    if not room.is_thread or not can_use_chat(user):
        return False
    if is_room_member(user, room) or (room.staff_inbox and is_moderator(user)):
        return True
    return is_staff_member(user)


def private_read_needs_audit(user: Any, room: Room) -> bool:
    """A staff member reading a bubble or thread they are not in."""
    return is_staff_member(user) and not is_room_member(user, room)


def can_request_bubble(user: Any) -> bool:
    return is_child(user) and can_use_chat(user)


def can_accept_bubble(user: Any) -> bool:
    return is_mentor(user) and can_use_chat(user)


def can_open_bubble_with_child(user: Any) -> bool:
    """Counsellors may start a bubble with a child themselves."""
    return is_counsellor(user) and can_use_chat(user)


def can_join_bubble(user: Any, room: Room) -> bool:
    """A counsellor joins a bubble (a warm handover) to post in it."""
    return room.is_bubble and room.is_open and can_open_bubble_with_child(user)


def can_raise_concern(user: Any, room: Room) -> bool:
    """Mentors and counsellors in the bubble (counsellors even before joining)."""
    if not room.is_bubble or not can_use_chat(user):
        return False
    return (is_mentor(user) and is_room_member(user, room)) or is_counsellor(user)


def can_end_bubble(user: Any, room: Room) -> bool:
    return room.is_bubble and room.is_open and is_room_member(user, room)


def can_watch_queue(user: Any) -> bool:
    """Mentors watch the queue of requests; children listen for their own request."""
    return (is_mentor(user) or is_child(user)) and can_use_chat(user)
