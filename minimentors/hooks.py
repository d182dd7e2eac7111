"""The accounts layer's doors to moderation.

Accounts sit below moderation, so they reach it through settings (dotted paths) rather than
imports: ``MEMBER_TEXT_REVIEW`` (the one moderation entry point), ``MEMBER_TEXT_ALERT`` (staff
are alerted to a cry for help in text that is not a chat message) and ``MEMBER_BLOCK_NOTICE``
(whether a member is blocked from the site, and what they are told: until when, and why).
Without them, the strict username pattern in ``validators.py`` is the only check, nobody is
alerted and nobody is kept out.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def review_member_text(text: str, *, context: str):
    """Return the moderation verdict for ``text`` or ``None`` when no reviewer is configured."""
    dotted = getattr(settings, "MEMBER_TEXT_REVIEW", "")
    if not dotted:
        return None
    return import_string(dotted)(text=text, context=context)


def alert_member_text(text: str, *, verdict: Any, where: str) -> None:
    """Tell staff, in real time, about ``text`` (flagged by ``verdict``) typed ``where``."""
    dotted = getattr(settings, "MEMBER_TEXT_ALERT", "")
    if dotted:
        import_string(dotted)(text=text, verdict=verdict, where=where)


def member_block_notice(user: Any) -> str | None:
    """What a blocked member is told (until when, and why), or ``None`` if not blocked."""
    dotted = getattr(settings, "MEMBER_BLOCK_NOTICE", "")
    if not dotted:
        return None
    return import_string(dotted)(user)
