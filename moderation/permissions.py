"""Who may see which alerts: the one rule, used by the queue, the alert gate and the live feed.

Moderators see every alert; counsellors see risk alerts (self-harm, abuse, grooming) and those
handed over to them; on-call staff get risk alerts out of hours on their feed; every staff
member's feed gets an alert raised again because nobody acknowledged it.
"""

from __future__ import annotations

from typing import Any

from minimentors.roles import is_counsellor, is_moderator, is_staff_member

from .models import Alert


def can_receive_alerts(user: Any) -> bool:
    """Every staff member's alert feed may open (see the module docstring for what it gets)."""
    return is_staff_member(user)


def can_see_alert(user: Any, alert: Alert) -> bool:
    """May ``user`` open ``alert`` (its page, its actions)?"""
    if is_moderator(user):
        return True
    return is_counsellor(user) and alert.is_risk
