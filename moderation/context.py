"""How the moderation queue shows the messages around a flagged one.

Moderation sits below chat and cannot import it; chat registers its reader here in its
AppConfig.ready(). Each message is a dict: id, author, text (the original, for staff),
shown, sent_at, is_subject.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MessageContextReader = Callable[[int, int], list[dict[str, Any]]]
_reader: MessageContextReader | None = None


def register_message_context(reader: MessageContextReader) -> None:
    global _reader
    _reader = reader


def reader_registered() -> bool:
    return _reader is not None


def message_context(message_id: int | None, span: int = 10) -> list[dict[str, Any]]:
    """The message with ``span`` messages before and after it, oldest first."""
    if message_id is None or _reader is None:
        return []
    return _reader(message_id, span)
