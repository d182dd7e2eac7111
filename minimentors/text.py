"""Member text as every database can store it, cleaned where it arrives (a socket frame, a
form), before anything reviews or stores it.

A lone surrogate (half an emoji, as ``"\\ud83d"`` in JSON) cannot be written as UTF-8, and
PostgreSQL refuses NUL bytes: either would make the message fail to store, and a cry for help
in it would be lost. Cleaning keeps the words and drops only what cannot be kept.
"""

from __future__ import annotations

import re

# Characters that are not text a person meant: NUL.
_UNSTORABLE = re.compile("[\x00]")


def _without_lone_surrogates(text: str) -> str:
    """Join surrogate pairs into the characters they stand for; drop lone halves."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def clean_member_text(text: str) -> str:
    """``text`` without characters no database can store (lone surrogates, NUL). Everything a
    member meant to write is kept. Idempotent."""
    return _UNSTORABLE.sub("", _without_lone_surrogates(text))
