"""The accounts layer's door to moderation.

Accounts sit below moderation, so they reach the one moderation entry point through the
``MEMBER_TEXT_REVIEW`` setting (a dotted path) rather than an import. Until moderation is
installed the strict username pattern in ``validators.py`` is the only check.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def review_member_text(text: str, *, context: str):
    """Return the moderation verdict for ``text`` or ``None`` when no reviewer is configured."""
    dotted = getattr(settings, "MEMBER_TEXT_REVIEW", "")
    if not dotted:
        return None
    return import_string(dotted)(text=text, context=context)
