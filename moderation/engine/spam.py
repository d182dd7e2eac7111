"""Floods within one message: one character, one short unit or one word over and over.

Repeating the *same message* is conversation-level and lives in ``conversation.py``.
Thresholds are set well above what excited children type ("nooooo", "hahahaha", five crying
emoji) and well below what a flood looks like.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["SpamHit", "find_flood"]

CHAR_FLOOD = 20  # the same visible character this many times in a row
UNIT_FLOOD_LENGTH = 30  # a word this long made of one short unit repeated ("hahaha...")
WORD_FLOOD = 8  # the same word this many times, making up at least half of the message
SYMBOL_FLOOD = 20  # this many emoji/pictographs in one message

_CHAR_FLOOD = re.compile(rf"(\S)\1{{{CHAR_FLOOD - 1},}}")
_TRIPLE = re.compile(r"(\S)\1\1")  # cheap necessary condition for a character flood
_LONG_TOKEN = re.compile(rf"\S{{{UNIT_FLOOD_LENGTH},}}")


class SpamHit(NamedTuple):
    start: int
    end: int
    term: str


def _is_periodic(token: str, max_period: int = 6) -> bool:
    for period in range(1, max_period + 1):
        unit = token[:period]
        repeats = len(token) // period
        if repeats >= 5 and token.startswith(unit * repeats):
            return True
    return False


def find_flood(
    text: str, words: Sequence[str], word_set: set[str], tripled: bool | None = None
) -> SpamHit | None:
    """The first flood in normalised ``text`` (with its word list and set), or None.

    ``tripled``: whether some character appears three times in a row, when already known.
    """
    if tripled is None:
        tripled = _TRIPLE.search(text) is not None
    match = _CHAR_FLOOD.search(text) if tripled else None
    if match:
        return SpamHit(match.start(), match.end(), "repeated character")
    if len(text) >= UNIT_FLOOD_LENGTH and max(map(len, words), default=0) >= UNIT_FLOOD_LENGTH:
        for match in _LONG_TOKEN.finditer(text):
            if _is_periodic(match.group()):
                return SpamHit(match.start(), match.end(), "repeated letters")
    if len(words) >= WORD_FLOOD and len(word_set) * 2 <= len(words):
        word, count = Counter(words).most_common(1)[0]
        if count >= WORD_FLOOD and count * 2 >= len(words):
            return SpamHit(0, len(text), f"repeated word {word!r}")
    if not text.isascii():
        symbols = sum(1 for char in text if char >= "\u2600" and _is_pictograph(char))
        if symbols >= SYMBOL_FLOOD:
            return SpamHit(0, len(text), "emoji flood")
    return None


def _is_pictograph(char: str) -> bool:
    code = ord(char)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF
