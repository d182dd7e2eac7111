"""Reads for the counsellor pages: the dashboard and a child's chronology."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from chat.models import Membership, Message, Room
from minimentors.models import User
from minimentors.roles import Role
from moderation.models import RISK_CATEGORIES, Alert, Sanction

from .models import CheckIn, CheckInPlan, Concern, ConcernNote
from .registry import case_status


def open_concerns() -> QuerySet[Concern]:
    """Concerns not yet closed: most serious first, then the oldest."""
    return (
        Concern.objects.exclude(status=Concern.Status.CLOSED)
        .select_related("child", "raised_by", "picked_up_by")
        .order_by("-severity", "created_at")
    )


def risk_alerts_for_counsellors(limit: int = 50) -> list[Alert]:
    """Open self-harm, abuse and grooming alerts and hand-overs, most serious then oldest."""
    alerts = (
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .select_related("member")
        .order_by("-severity", "raised_at")
    )
    return [
        a for a in alerts[:500] if a.handed_to_counsellor or RISK_CATEGORIES & set(a.categories)
    ][:limit]


def my_children(counsellor: Any) -> QuerySet[User]:
    """Children this counsellor has written about, picked up a concern for, or chats with."""
    return (
        User.objects.filter(groups__name=Role.CHILD)
        .filter(
            Q(notes_about__author=counsellor)
            | Q(concerns_about__picked_up_by=counsellor)
            | Q(checkin_plans__counsellor=counsellor)
        )
        .distinct()
        .order_by("username")
    )


def children_named(query: str, limit: int = 20) -> QuerySet[User]:
    query = query.strip()
    if not query:
        return User.objects.none()
    return User.objects.filter(groups__name=Role.CHILD, username__icontains=query).order_by(
        "username"
    )[:limit]


def missed_checkins(limit: int = 20) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(status=CheckIn.Status.MISSED)
        .select_related("plan__child", "plan__counsellor")
        .order_by("-due_at")[:limit]
    )


def offered_plans_for(child: Any) -> QuerySet[CheckInPlan]:
    return CheckInPlan.objects.filter(
        child=child, status=CheckInPlan.Status.OFFERED
    ).select_related("counsellor")


@dataclass(frozen=True)
class Entry:
    """One line of a chronology."""

    kind: str  # concern, note, alert, message, sanction, bubble, checkin
    when: datetime
    title: str
    text: str = ""
    link: str = ""
    note: ConcernNote | None = None


CHRONOLOGY_KINDS = {
    "concern": "Concerns",
    "note": "Notes",
    "alert": "Alerts",
    "message": "Flagged messages",
    "sanction": "Sanctions",
    "bubble": "Chats",
    "checkin": "Weekly chats",
}


def chronology(child: Any, *, kinds: set[str] | None = None) -> list[Entry]:
    """Everything about ``child`` in one timeline, newest first (``kinds`` filters)."""
    base = f"/counselling/children/{child.username}"
    entries: list[Entry] = []
    for c in Concern.objects.filter(child=child).select_related("raised_by"):
        by = c.raised_by.username if c.raised_by else "someone"
        title = f"Concern: {c.get_category_display()}, raised by {by}"
        link = f"{base}/rooms/{c.bubble_id}/" if c.bubble_id else ""
        entries.append(Entry("concern", c.created_at, f"{title} ({c.get_status_display()})",
                             c.words, link))  # fmt: skip
    notes = ConcernNote.objects.filter(child=child).select_related("author")
    for n in notes.prefetch_related("amendments__author"):
        author = n.author.username if n.author else "a counsellor"
        title = f"Note by {author}: {n.get_category_display()}"
        entries.append(Entry("note", n.written_at, title, n.what_happened, note=n))
    for a in Alert.objects.filter(member=child):
        what = ", ".join(a.categories) or a.get_kind_display()
        title = f"Alert: {what} (severity {a.severity}, {a.get_status_display().lower()})"
        entries.append(Entry("alert", a.raised_at, title, a.summary))
    flagged = Message.objects.filter(author=child, action__in=["flag", "block"])
    for m in flagged.select_related("room"):
        title = f"Flagged message in {m.room.label} ({m.action})"
        entries.append(Entry("message", m.sent_at, title, m.original_text,
                             f"{base}/rooms/{m.room_id}/"))  # fmt: skip
    for s in Sanction.objects.filter(member=child):
        entries.append(Entry("sanction", s.created_at, s.get_kind_display(), s.reason))
    for r in Room.objects.filter(kind=Room.Kind.BUBBLE, memberships__user=child).distinct():
        entries.append(Entry("bubble", r.created_at, f"Bubble chat: {r.name}", "",
                             f"{base}/rooms/{r.pk}/"))  # fmt: skip
    for ci in CheckIn.objects.filter(plan__child=child).select_related("plan__counsellor"):
        title = f"Weekly chat with {ci.plan.counsellor.username}: {ci.get_status_display()}"
        entries.append(Entry("checkin", ci.due_at, title))
    if kinds:
        entries = [e for e in entries if e.kind in kinds]
    return sorted(entries, key=lambda e: e.when, reverse=True)


def general_rooms_of(child: Any) -> QuerySet[Room]:
    return Room.objects.filter(kind=Room.Kind.GENERAL, memberships__user=child).distinct()


def is_room_of(child: Any, room: Room) -> bool:
    return (
        Membership.objects.filter(room=room, user=child).exists()
        or Message.objects.filter(room=room, author=child).exists()
    )


def case_status_of(child: Any) -> str | None:
    return case_status(child)
