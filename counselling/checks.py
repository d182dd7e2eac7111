"""System checks of counselling: escalation must reach the Safeguarding Team."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def escalation_reaches_safeguarding(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """ "Tell the Safeguarding Team" must open or add to a case: a receiver of ``escalated``
    and a case-status reader must be registered (safeguarding does both in its ready())."""
    from .registry import case_status_registered
    from .signals import escalated

    errors = []
    if not escalated.has_listeners():
        errors.append(
            checks.Error("Nothing receives counselling's escalated signal.", id="counselling.E001")
        )
    if not case_status_registered():
        errors.append(checks.Error("No case status reader is registered.", id="counselling.E002"))
    return errors
