"""Channel-layer group names and frames for staff alerts: the one place that names them."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from minimentors.roles import Role, is_counsellor, is_moderator

from .models import Alert

MODERATORS_GROUP = "alerts.moderators"
COUNSELLORS_GROUP = "alerts.counsellors"
# Every staff socket joins this; only re-raised alerts (nobody acknowledged them) go here.
ALL_STAFF_GROUP = "alerts.staff"


def on_call_group(user_id: int) -> str:
    return f"alerts.on-call.{user_id}"


def on_call_user_ids() -> list[int]:
    """On-call staff who would not get risk alerts through their role group anyway."""
    from minimentors.models import User

    return list(
        User.objects.filter(username__in=settings.ON_CALL_STAFF)
        .exclude(groups__name__in=[Role.MODERATOR, Role.COUNSELLOR])
        .values_list("pk", flat=True)
    )


def alert_groups_for_user(user: Any) -> list[str]:
    """The groups a staff socket joins. One role group each, so a counsellor who is also a
    moderator gets every alert once (the frame's id lets a page drop a repeat)."""
    groups = [ALL_STAFF_GROUP]
    if is_moderator(user):
        groups.append(MODERATORS_GROUP)
    elif is_counsellor(user):
        groups.append(COUNSELLORS_GROUP)
    if user.username in settings.ON_CALL_STAFF:
        groups.append(on_call_group(user.pk))
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


def alert_frame(alert: Alert) -> dict[str, Any]:
    """The `alert` frame of the websocket contract."""
    return {
        "type": "alert",
        "id": alert.pk,
        "severity": alert.severity,
        "categories": list(alert.categories),
        "room": alert.room,
        "member": alert.member.username if alert.member else "",
        "summary": alert.summary,
        "raised_at": alert.raised_at.isoformat(),
    }
