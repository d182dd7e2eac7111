"""System checks of moderation: readers that layers above must register are registered."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def message_context_reader_registered(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The moderation queue shows the conversation around a flagged message through a reader
    the chat registers; without it staff would judge a message out of context."""
    from .context import reader_registered

    if reader_registered():
        return []
    return [
        checks.Error(
            "No message context reader is registered (chat registers one in its ready()).",
            id="moderation.E001",
        )
    ]
