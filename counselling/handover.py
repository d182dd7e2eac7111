"""The warm hand-over and the mentor's debrief: what happens around a risk in a bubble.

Counselling listens to chat's ``risk_in_bubble`` and ``bubble_ended`` (chat never imports
counselling). The bubble's "needs a counsellor" mark is ``Room.risk_flagged_at``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from chat.models import Membership, Room
from chat.services import HELPLINE_WORDS, notice
from minimentors.events import group_name, send_event_on_commit
from minimentors.roles import is_child
from moderation.services import raise_alert

MENTOR_WHAT_TO_SAY = (
    "This sounds serious, and a grown-up from MiniMentors is coming to help. Tell {child} you are "
    "glad they told you, and that a grown-up is joining to help. Stay kind and calm. Don't "
    "promise to keep it a secret, and don't ask lots of questions."
)
CHILD_HELP_IS_COMING = (
    "Thank you for telling us. A grown-up from MiniMentors is coming to help too. " + HELPLINE_WORDS
)
MENTOR_DEBRIEF = (
    "That chat was a hard one. Well done for staying with them. A counsellor will talk it "
    "through with you: please read the debrief."
)


def bubble_risk_handover(
    *, room: Room, author: Any, cry_for_help: bool, **signal_kwargs: Any
) -> list[dict[str, Any]]:
    """A risk in a bubble: mark it as needing a counsellor and ask one to join (once), tell
    the mentor what to say while they come, and answer a child's cry for help with kind
    words (returned, for the child's own socket)."""
    now = timezone.now()
    if Room.objects.filter(pk=room.pk, risk_flagged_at__isnull=True).update(risk_flagged_at=now):
        room.risk_flagged_at = now
        raise_alert(
            categories=["self_harm"] if cry_for_help else ["grooming"],
            severity=3,
            member=author,
            summary=f"Please join bubble chat {room.label}: a MiniMentor needs a counsellor now.",
            reason="warm handover requested by the chat (risk flagged in a bubble)",
            room=room.label,
            kind="conversation",
        )
    helper_ids = list(
        room.memberships.filter(role__in=[Membership.Role.MENTOR, Membership.Role.COUNSELLOR])
        .exclude(user=author)
        .values_list("user_id", flat=True)
    )
    if helper_ids:
        send_event_on_commit(
            {
                "type": "chat.notice",
                "user_ids": helper_ids,
                "frame": notice(MENTOR_WHAT_TO_SAY.format(child=author.username), handover=True),
            },
            [group_name("room", room.pk)],
        )
    if cry_for_help and is_child(author):
        return [notice(CHILD_HELP_IS_COMING, helpline=True)]
    return []


def bubble_debrief_offer(*, room: Room, ended_by: Any, **signal_kwargs: Any) -> None:
    """After a bubble where a risk was flagged, each mentor in it is offered a debrief."""
    room.refresh_from_db(fields=["risk_flagged_at"])
    if room.risk_flagged_at is None:
        return
    mentor_ids = room.memberships.filter(role=Membership.Role.MENTOR).values_list(
        "user_id", flat=True
    )
    for mentor_id in mentor_ids:
        send_event_on_commit(
            {
                "type": "chat.notice",
                "user_ids": None,
                "frame": notice(MENTOR_DEBRIEF, link=f"/chat/bubbles/{room.pk}/", debrief=True),
            },
            [group_name("user", mentor_id)],
        )
