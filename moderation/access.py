"""The access gate of alerts: used by the moderation pages and anything that opens an alert."""

from __future__ import annotations

from typing import Any

from minimentors.access import NotFound

from .models import Alert
from .permissions import can_see_alert


def access_alert(member: Any, alert_id: int | str) -> Alert:
    """The alert ``alert_id`` if ``member`` may see it; else ``NotFound`` (missing and
    forbidden look the same)."""
    try:
        key = int(alert_id)
    except (TypeError, ValueError):
        raise NotFound from None
    alert = Alert.objects.select_related("member").filter(pk=key).first()
    if alert is None or not can_see_alert(member, alert):
        raise NotFound
    return alert
