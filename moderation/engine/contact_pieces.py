"""Contact details given in pieces: what ``contact.py``'s one-regex-per-kind finders miss.

- a phone number split into pieces inside one message ("07700 ... 900 ... 123", "077 00 then
  900 then 123"): digit runs close together are joined and checked like any number;
- a bare handle after a platform name and a colon or equals sign ("sc: jess_2012",
  "snap=bigkev09", "insta: @amy");
- a handle spelled out letter by letter next to a platform or "add me" ("add me its j e s s
  2 0 1 2 on snap").

All read the normalised text (``normalise.py``) and its words; each returns ``ContactHit``s
(category ``personal_info``) with character spans. Linear regexes and bounded loops only.
"""

from __future__ import annotations

import re

from .contact import PLATFORM_WORDS, ContactHit, digit_count, looks_like_phone

__all__ = ["PIECE_PLATFORMS", "PIECE_TRIGGERS", "find_pieces"]

_DIGIT_RUN = re.compile(r"[0-9]+")
# What may stand between two pieces of one number: spacing, punctuation and a few linking
# words ("then", "and", "dash"), at most ``_MAX_GAP`` characters.
_GAP = re.compile(r"(?:[\s.,;:_~*/\\\-]|then|and|dash|space|next|after|that)*")
_MAX_GAP = 14
_MAX_PIECES = 6

# Platforms children write before a bare handle ("sc: ...") or beside a spelled-out one.
PIECE_PLATFORMS = PLATFORM_WORDS | {
    "snap",
    "sc",
    "snapchat",
    "insta",
    "ig",
    "tiktok",
    "tt",
    "discord",
    "kik",
    "psn",
    "xbox",
    "steam",
    "roblox",
    "fortnite",
    "epic",
    "minecraft",
    "twitch",
    "whatsapp",
}
# Words after which a handle may follow in pieces (the engine's gate reads these).
PIECE_TRIGGERS = PIECE_PLATFORMS | {"add", "follow", "friend", "request"}
_PLATFORM_ALTERNATIVES = "|".join(sorted(PIECE_PLATFORMS, key=len, reverse=True))
_BARE_HANDLE = re.compile(
    rf"(?<![a-z0-9])(?:{_PLATFORM_ALTERNATIVES})\s*(?:name|user|username|id|tag)?\s*[:=]\s*"
    r"@?[a-z0-9_][a-z0-9_.]{2,29}"
)
# Four or more single letters or digits, each on its own, with at least one letter.
_SPELLED_OUT = re.compile(r"(?<![a-z0-9])(?:[a-z0-9][\s.,_\-]{1,2}){3,24}[a-z0-9](?![a-z0-9])")
_ADD_ME = re.compile(r"\b(?:add|follow|find|friend|request|dm|message)\s+me\b")


def _split_phones(text: str) -> list[ContactHit]:
    runs = list(_DIGIT_RUN.finditer(text))
    if len(runs) < 2:
        return []
    hits: list[ContactHit] = []
    for first in range(len(runs)):
        digits = runs[first].group()
        for last in range(first + 1, min(len(runs), first + _MAX_PIECES)):
            gap = text[runs[last - 1].end() : runs[last].start()]
            if len(gap) > _MAX_GAP or not _GAP.fullmatch(gap):
                break
            digits += runs[last].group()
            if len(digits) > 13:
                break
            if len(digits) >= 10 and looks_like_phone(digits, international=False):
                start, end = runs[first].start(), runs[last].end()
                hits.append(ContactHit("personal_info", start, end, digits, "pattern:split_phone"))
                return hits
    return hits


def find_pieces(text: str, word_set: set[str] | frozenset[str]) -> list[ContactHit]:
    """Phone numbers in pieces, bare handles and spelled-out handles in normalised ``text``."""
    hits: list[ContactHit] = []
    if digit_count(text) >= 10:
        hits.extend(_split_phones(text))
    platforms = not PIECE_PLATFORMS.isdisjoint(word_set)
    if platforms and (":" in text or "=" in text):
        for match in _BARE_HANDLE.finditer(text):
            hits.append(
                ContactHit(
                    "personal_info", match.start(), match.end(), match.group(), "pattern:handle"
                )
            )
    # "add me" and the like end in "me": without it, no regex pass.
    if platforms or ("me" in text and _ADD_ME.search(text)):
        for match in _SPELLED_OUT.finditer(text):
            letters = re.sub(r"[^a-z0-9]", "", match.group())
            if len(letters) >= 4 and not letters.isdigit() and letters not in _ORDINARY_RUNS:
                hits.append(
                    ContactHit(
                        "personal_info",
                        match.start(),
                        match.end(),
                        letters,
                        "pattern:spelled_handle",
                    )
                )
    return hits


# Single-letter runs that are ordinary English ("i u r a ...", "a b c d" for the alphabet).
_ORDINARY_RUNS = frozenset({"abcd", "abcde", "abcdef", "abc123", "1234", "iura"})
