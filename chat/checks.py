"""System checks of chat: its safety signals have receivers (a missing one would silently
drop the warm hand-over or the mentor's debrief)."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def safety_signals_have_receivers(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from .signals import bubble_ended, risk_in_bubble

    return [
        checks.Error(f"Nothing receives chat's {name} signal.", id="chat.E001")
        for name, signal in (("risk_in_bubble", risk_in_bubble), ("bubble_ended", bubble_ended))
        if not signal.has_listeners()
    ]
