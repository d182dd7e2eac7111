"""Member text as a person meant it and as every database can store it, cleaned where it
arrives (a socket frame, a form) before anything reviews, stores or shows it.

- A lone surrogate (half an emoji, as ``"\\ud83d"`` in JSON) cannot be written as UTF-8, and
  PostgreSQL refuses NUL bytes: either would make the message fail to store, and a cry for
  help in it would be lost. Surrogate pairs become the character they stand for; lone halves
  go.
- Bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069) make text
  show in a different order from how it is stored (and read by moderation): they go. The
  left-to-right and right-to-left marks that Arabic and Hebrew writers use stay.
- Control characters (NUL, bell, escape, C1) go; tabs and new lines stay (``\\r\\n`` and
  ``\\r`` become ``\\n``).
- Text with nothing visible in it (only zero-width characters, blank fillers, spaces) becomes
  ``""``, so it is refused like an empty message. Zero-width joiners inside emoji stay.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# C0 controls but tab and new line, DEL and the C1 controls.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_REMOVED = re.compile(f"[{_BIDI_CONTROLS}{_CONTROLS}]")
# Characters that draw nothing although they are not format characters: Hangul fillers, the
# blank Braille pattern, the combining grapheme joiner and variation selectors.
_BLANK_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e") | frozenset(
    chr(code) for code in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))
)


def _without_lone_surrogates(text: str) -> str:
    """Join surrogate pairs into the characters they stand for; drop lone halves."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def _invisible(char: str) -> bool:
    return (
        char.isspace()
        or char in _BLANK_FILLERS
        or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp")
    )


def has_visible_text(text: str) -> bool:
    """Whether ``text`` shows anything at all."""
    return not all(_invisible(char) for char in text)


def clean_member_text(text: str) -> str:
    """``text`` as described above: storable, shown in the order it is read, without control
    characters, and ``""`` when nothing in it is visible. Idempotent."""
    text = _without_lone_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _REMOVED.sub("", text)
    return text if has_visible_text(text) else ""
