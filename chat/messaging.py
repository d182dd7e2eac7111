"""Private messages (``/messages/``): threads between members who may talk.

A child may write to the mentors and counsellors they have had a bubble with (and a mentor or
counsellor to those children); any member may write to "the moderators", one shared staff
inbox. Nobody starts a thread with a stranger, and children never with another child they
have not met in a bubble. Messages go through ``services.post_message`` like every chat
message: the same moderation, alerts, rate limit and sanctions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from minimentors.audit import audit_record
from minimentors.models import User
from minimentors.roles import is_child, is_counsellor, is_member, is_mentor

from . import permissions
from .models import Membership, Message, Room
from .services import ChatError

MODERATORS = "the moderators"


def partners_of(user: Any) -> list[Any]:
    """Who ``user`` may start a thread with (besides the moderators): the other people of
    their bubbles, children with mentors and counsellors only."""
    bubbles = Membership.objects.filter(user=user, room__kind=Room.Kind.BUBBLE).values("room_id")
    others = (
        User.objects.filter(chat_memberships__room_id__in=bubbles)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("username")
    )
    if is_child(user):
        return [p for p in others if is_mentor(p) or is_counsellor(p)]
    if is_mentor(user) or is_counsellor(user):
        return [p for p in others if is_child(p)]
    return []


def _role(user: Any) -> str:
    if is_child(user):
        return Membership.Role.CHILD
    if is_mentor(user):
        return Membership.Role.MENTOR
    return Membership.Role.COUNSELLOR


@transaction.atomic
def thread_open(*, member: Any, partner_name: str) -> Room:
    """The thread between ``member`` and ``partner_name`` (or "the moderators"), started if
    there is none yet. Refused with words a child understands when they may not talk."""
    if not permissions.can_use_chat(member) or not (is_member(member) or is_counsellor(member)):
        raise ChatError("invalid", "You can't send private messages right now.")
    if partner_name.strip().lower() == MODERATORS:
        if not is_member(member):
            raise ChatError("invalid", "Staff read the moderators' messages on their own pages.")
        existing = Room.objects.filter(
            kind=Room.Kind.THREAD, staff_inbox=True, memberships__user=member
        ).first()
        if existing is not None:
            return existing
        room = Room.objects.create(kind=Room.Kind.THREAD, staff_inbox=True,
                                   name=f"{member.username} and the moderators")  # fmt: skip
        Membership.objects.create(room=room, user=member, role=_role(member))
        audit_record(actor=member, action="thread.started", target=room, with_moderators=True)
        return room
    partner = next(
        (p for p in partners_of(member) if p.username.lower() == partner_name.strip().lower()),
        None,
    )
    if partner is None:
        raise ChatError(
            "invalid",
            "You can only send messages to a MiniMentor or counsellor you have chatted with, "
            "or to the moderators.",
        )
    existing = (
        Room.objects.filter(kind=Room.Kind.THREAD, staff_inbox=False, memberships__user=member)
        .filter(memberships__user=partner)
        .first()
    )
    if existing is not None:
        return existing
    room = Room.objects.create(
        kind=Room.Kind.THREAD, name=f"{member.username} and {partner.username}"
    )
    Membership.objects.create(room=room, user=member, role=_role(member))
    Membership.objects.create(room=room, user=partner, role=_role(partner))
    audit_record(actor=member, action="thread.started", target=room)
    return room


def thread_read(*, user: Any, room: Room) -> None:
    """``user`` has seen everything in ``room`` so far (the unread count drops)."""
    latest = Message.objects.filter(room=room).order_by("-id").values_list("id", flat=True).first()
    if latest:
        Membership.objects.filter(room=room, user=user, last_read_id__lt=latest).update(
            last_read_id=latest
        )


def threads_of(user: Any) -> list[tuple[Room, int]]:
    """``user``'s threads, newest first, each with how many messages they have not read."""
    memberships = Membership.objects.filter(user=user, room__kind=Room.Kind.THREAD).select_related(
        "room"
    )
    threads = []
    for membership in memberships.order_by("-room_id"):
        unread = (
            Message.objects.filter(room=membership.room, id__gt=membership.last_read_id, held=False)
            .exclude(author=user)
            .count()
        )
        threads.append((membership.room, unread))
    return threads


def unread_count(user: Any) -> int:
    """How many messages in ``user``'s threads they have not read: the menu asks on every
    page, so two queries whatever the number of threads (``threads_of`` counts per thread,
    for the inbox)."""
    last_read = Membership.objects.filter(user=user, room__kind=Room.Kind.THREAD).values_list(
        "room_id", "last_read_id"
    )
    unread = Q()
    for room_id, last_read_id in last_read:
        unread |= Q(room_id=room_id, id__gt=last_read_id)
    if not unread:
        return 0
    return Message.objects.filter(unread, held=False).exclude(author=user).count()


def staff_inbox() -> list[Room]:
    return list(Room.objects.filter(kind=Room.Kind.THREAD, staff_inbox=True).order_by("-id"))
