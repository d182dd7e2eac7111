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


@checks.register(deploy=True)
def engine_compiled(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production the moderation engine should run compiled (``moderation/engine/native.py``):
    plain Python gives the same verdicts but reviews each message several times slower."""
    from .engine import BUILD

    if BUILD == "compiled":
        return []
    return [
        checks.Warning(
            f"The moderation engine runs as plain Python: {BUILD}.",
            hint="Run make install (or python -m moderation.engine.build) on this machine.",
            id="moderation.W001",
        )
    ]
