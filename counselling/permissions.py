"""Who may do what in counselling: the one place for its rules."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from chat.models import Membership
from minimentors.roles import is_counsellor
from moderation.models import RISK_CATEGORIES, Alert

from .models import CheckInPlan, Concern, ConcernNote


def can_counsel(user: Any) -> bool:
    """Counsellors, and only they, use the counsellor pages."""
    return is_counsellor(user)


def has_link_with(counsellor: Any, child: Any) -> bool:
    """A counsellor may open a child's chronology without saying why when they have a link:
    a bubble or a weekly chat with the child, a note of theirs about the child, a concern they
    raised or picked up, or an open concern or risk alert every counsellor on duty is meant to
    act on. Otherwise opening it is a break-glass read."""
    if (
        Concern.objects.filter(child=child)
        .filter(
            Q(raised_by=counsellor) | Q(picked_up_by=counsellor) | ~Q(status=Concern.Status.CLOSED)
        )
        .exists()
    ):
        return True
    if ConcernNote.objects.filter(child=child, author=counsellor).exists():
        return True
    if CheckInPlan.objects.filter(child=child, counsellor=counsellor).exists():
        return True
    shared_rooms = Membership.objects.filter(user=counsellor).values("room_id")
    if Membership.objects.filter(user=child, room_id__in=shared_rooms).exists():
        return True
    risks = Alert.objects.filter(member=child).exclude(status=Alert.Status.RESOLVED)
    return any(RISK_CATEGORIES & set(a.categories) or a.handed_to_counsellor for a in risks)
