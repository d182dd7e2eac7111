"""The accounts layer's doors to moderation.

Accounts sit below moderation, so they reach it through settings (dotted paths) rather than
imports: ``MEMBER_TEXT_REVIEW`` (the one moderation entry point), ``MEMBER_TEXT_ALERT`` (staff
are alerted to a cry for help in text that is not a chat message) and ``MEMBER_BLOCK_NOTICE``
(whether a member is blocked from the site, and what they are told: until when, and why).
They never fail open: a system check (``minimentors.checks``) refuses to start the site when
one is missing or does not resolve, and each call here raises rather than skip the check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

HOOK_SETTINGS = ("MEMBER_TEXT_REVIEW", "MEMBER_TEXT_ALERT", "MEMBER_BLOCK_NOTICE")


def hook(name: str) -> Callable[..., Any]:
    """The function a hook setting names (``ImproperlyConfigured`` if it is missing)."""
    dotted = getattr(settings, name, "")
    if not dotted:
        raise ImproperlyConfigured(f"The setting {name} must name a function.")
    return import_string(dotted)


def review_member_text(text: str, *, context: str) -> Any:
    """The moderation verdict for ``text``."""
    return hook("MEMBER_TEXT_REVIEW")(text=text, context=context)


def alert_member_text(text: str, *, verdict: Any, where: str) -> None:
    """Tell staff, in real time, about ``text`` (flagged by ``verdict``) typed ``where``."""
    hook("MEMBER_TEXT_ALERT")(text=text, verdict=verdict, where=where)


def member_block_notice(user: Any) -> str | None:
    """What a blocked member is told (until when, and why), or ``None`` if not blocked."""
    return hook("MEMBER_BLOCK_NOTICE")(user)
