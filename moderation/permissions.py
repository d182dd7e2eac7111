"""Who may see which alerts: moderators see every alert, counsellors the risk alerts."""

from __future__ import annotations

from typing import Any

from minimentors.roles import is_counsellor, is_moderator, is_staff_member

from .models import RISK_CATEGORIES, Alert


def can_receive_alerts(user: Any) -> bool:
    """Every staff member's socket may open: moderators and counsellors get alerts as they are
    raised; everyone on duty gets the ones nobody acknowledged in time."""
    return is_staff_member(user)


def can_see_alert(user: Any, alert: Alert) -> bool:
    if is_moderator(user):
        return True
    return is_counsellor(user) and bool(RISK_CATEGORIES & set(alert.categories))
