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


@checks.register()
def held_content_handlers_registered(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Held blog posts and comments can be published or refused, and a blocked member's
    content hidden, only through handlers chat registers."""
    from .held import registered

    if registered():
        return []
    return [checks.Error("No held-content handlers are registered.", id="moderation.E002")]
