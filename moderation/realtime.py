"""Who hears which alert live, and the alert frame: the one place that names them.

The groups follow ``moderation.permissions.can_see_alert``: a moderator's feed joins the
moderators' group (every alert), a counsellor's the counsellors' group (risk alerts and
hand-overs), every staff feed the staff group (alerts raised again), and an on-call member's
feed their own group (risk alerts out of hours).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from minimentors.events import group_name
from minimentors.roles import Role, is_counsellor, is_moderator

from .models import Alert

MODERATORS_GROUP = group_name("alerts", "moderators")
COUNSELLORS_GROUP = group_name("alerts", "counsellors")
# Every staff socket joins this; only re-raised alerts (nobody acknowledged them) go here.
ALL_STAFF_GROUP = group_name("alerts", "staff")


def on_call_group(user_id: int) -> str:
    return group_name("alerts", f"on-call.{user_id}")


def on_call_user_ids() -> list[int]:
    """On-call staff who would not get risk alerts through their role group anyway."""
    from minimentors.models import User

    return list(
        User.objects.filter(username__in=settings.ON_CALL_STAFF)
        .exclude(groups__name__in=[Role.MODERATOR, Role.COUNSELLOR])
        .values_list("pk", flat=True)
    )


def alert_groups_for_member(member: Any) -> list[str]:
    """The groups a staff feed joins. One role group each, so a counsellor who is also a
    moderator gets every alert once (the frame's id lets a page drop a repeat)."""
    groups = [ALL_STAFF_GROUP]
    if is_moderator(member):
        groups.append(MODERATORS_GROUP)
    elif is_counsellor(member):
        groups.append(COUNSELLORS_GROUP)
    if member.username in settings.ON_CALL_STAFF:
        groups.append(on_call_group(member.pk))
    return groups


def alert_groups_for_alert(
    alert: Alert, *, reraised: bool = False, out_of_hours: bool = False
) -> list[str]:
    if reraised:
        return [ALL_STAFF_GROUP]
    groups = [MODERATORS_GROUP]
    if alert.is_risk:
        groups.append(COUNSELLORS_GROUP)
        if out_of_hours:
            groups += [on_call_group(user_id) for user_id in on_call_user_ids()]
    return groups


def alert_frame(alert: Alert, *, reraised: bool = False) -> dict[str, Any]:
    """The `alert` frame of the websocket contract."""
    frame = {
        "type": "alert",
        "id": alert.pk,
        "severity": alert.severity,
        "categories": list(alert.categories),
        "room": alert.room,
        "member": alert.member.username if alert.member else "",
        "summary": alert.summary,
        "raised_at": alert.raised_at.isoformat(),
    }
    if reraised:
        frame["reraised"] = True
    return frame
