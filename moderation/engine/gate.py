"""The fast-path gate: which finders could find anything in a message, from cheap byte tests.

Most chat has nothing to find. Before the full scan (``scan.py``) the normalised text, as
ASCII bytes, and its *gate words* (``risk.words_of``) are checked against every spelling of
every lexicon word, every phrase pattern whose required word sets all appear in the message
(an "are you alone" pattern needs "are" *and* "you" *and* "alone"), and cheap byte-level tests
for anything that could hide a word (leetspeak symbols, digits next to letters or many digits,
letters stretched three times, single letters in a row, punctuation inside a word, floods).

``Gate.needs`` answers a mask of finders (``LEXICON | PHRASES | CONTACTS | FLOODS``); 0 means
the text is clean. It never leaves out a finder that would find something (the tests check it
against the full scan), so every test here is a *necessary* condition of some finding.
"""

from __future__ import annotations

import re

from . import contact
from .contact_pieces import PIECE_TRIGGERS
from .lexicon import Lexicon
from .patterns import PhraseSet
from .spam import SYMBOL_FLOOD, WORD_FLOOD
from .tokens import WORD_BYTES, not_simple

__all__ = [
    "ALL_FINDERS",
    "ALNUM_TO_A",
    "CONTACTS",
    "FLOODS",
    "LEXICON",
    "PHRASES",
    "SHAPE",
    "TRIPLE",
    "WORD_BYTES",
    "Gate",
    "has_triple",
]

# Finders, as bits of the mask that the gate returns.
LEXICON = 1  # words, spelled-out and starred words
PHRASES = 2  # phrase patterns
CONTACTS = 4  # phone numbers, e-mails, postcodes, addresses, handles, links
FLOODS = 8  # one character, unit or word over and over
ALL_FINDERS = LEXICON | PHRASES | CONTACTS | FLOODS

ALNUM_TO_A = bytes(97 if (97 <= c <= 122 or 48 <= c <= 57) else c for c in range(256))


def _shape_table() -> bytes:
    table = bytearray(b" " * 256)
    for code in range(256):
        char = chr(code)
        if "a" <= char <= "z":
            table[code] = ord("a")
        elif char.isdigit():
            table[code] = ord("0")
        elif char in "@$|+":
            table[code] = ord("l")  # leetspeak symbols (and the "@" of addresses)
        elif char in "._~-":
            table[code] = ord(".")  # in-word separators
        elif char in "*!'/":
            table[code] = code  # "/" only so that "://" shows up in what is left over
    return bytes(table)


# Each character as its class: a letter "a", digit "0", leetspeak symbol "l", separator ".",
# "*", "!", "'", "/", anything else a space. Substring tests on it replace several regexes.
SHAPE = _shape_table()
TRIPLE = re.compile(rb"([^ ])\1\1")
_STREET_WORDS = frozenset(word.encode() for word in contact.STREET_TYPES)
_SINGLE_CHARACTERS = frozenset(bytes([code]) for code in b"abcdefghijklmnopqrstuvwxyz0123456789")
_PIECE_TRIGGERS = frozenset(word.encode() for word in PIECE_TRIGGERS)
_LONG_LETTERS = b"a" * 20
# In ``SHAPE`` strings: ".a" or "a.0", and "a!0". Each starts with its rare byte, which the
# regex engine finds at once (a substring test ending in "a" would try every letter).
_DOT_IN_WORD = re.compile(rb"\.(?:a|(?<=a\.)0)")
_BANG_IN_NUMBER = re.compile(rb"!0(?<=a!0)")
_GAMER_TAG = re.compile(contact.GAMER_TAG.pattern.encode())


def has_single_letter_run(words: list[bytes]) -> bool:
    """Three or more one-character words in a row ("j e s s")."""
    return b" a a a " in (b" " + b" ".join(words) + b" ").translate(ALNUM_TO_A)


def has_triple(lowered: bytes) -> bool:
    """Whether a character other than a space appears three times in a row (``TRIPLE``).

    The regex costs about a microsecond on ordinary chat, which rarely has one. A cheap
    necessary condition first: as an integer, ``value ^ (value >> 8)`` has a zero byte where a
    byte equals the next, and OR-ing it with itself shifted by a byte leaves a zero byte
    where a byte equals the next two. Every triple leaves such a zero byte, so no triple is
    missed; the regex then settles the rare candidates (three spaces, say).
    """
    value = int.from_bytes(lowered, "little")
    same_as_next = value ^ (value >> 8)
    same_as_next_two = same_as_next | (same_as_next >> 8)
    if b"\0" not in same_as_next_two.to_bytes(len(lowered), "little"):
        return False
    return TRIPLE.search(lowered) is not None


class Gate:
    """The gate of one engine: its lexicon's spellings and its phrase patterns' words."""

    def __init__(self, lexicon: Lexicon, phrases: PhraseSet) -> None:
        number_words = (set(contact.SPELLED_DIGIT_WORDS) - {"o", "one"}) | {
            "double",
            "triple",
            "treble",
        }
        self.phrases = phrases
        self.lexicon_gate = lexicon.gate_words
        self.number_words = frozenset(word.encode() for word in number_words)

    def needs(
        self,
        folded: str,
        lowered: bytes | None = None,
        words: list[bytes] | None = None,
        word_set: set[bytes] | None = None,
    ) -> int:
        """The finders (``LEXICON | PHRASES | CONTACTS | FLOODS``) that could find something
        in this text; 0 means it is clean. Never leaves out a finder that would find something
        (the tests check this against the full scan). ``lowered`` and ``words``, when given,
        are ``folded`` as ASCII bytes and its gate words (``risk.words_of``), and ``word_set``
        their set, when already made."""
        # One byte per character (anything non-ASCII becomes "?", plain punctuation here).
        if lowered is None:
            lowered = folded.encode("ascii", "replace")
        if not folded.isascii() and lowered.count(b"?") - folded.count("?") >= SYMBOL_FLOOD:
            return ALL_FINDERS  # possibly an emoji flood
        tripled = has_triple(lowered)
        if words is None:
            words = lowered.translate(WORD_BYTES, b"'").split()
        if not words:
            return FLOODS if tripled else 0
        if word_set is None:
            word_set = set(words)
        shape = lowered.translate(SHAPE)
        # Everything but letters, spaces and apostrophes: usually nothing, which spares the
        # substring tests below (each costs about as much as a whole translate).
        rest = shape.translate(None, b"a '")
        needs = 0
        if tripled:
            # Stretched letters ("fuuuck", "diiie"): words are read differently; or a flood.
            needs = LEXICON | PHRASES | FLOODS
        # ``rest`` holds only "0", "l", ".", "*", "!" and "/"; ``not_simple`` needs one of the
        # first four, so without them it is False.
        if rest and rest.translate(None, b"./") and not_simple(shape, rest):
            # Leetspeak, stars, "!" inside words, digits against letters: words are decoded,
            # and digits against letters may be a postcode or "o" among digits.
            needs |= LEXICON | PHRASES | CONTACTS
        if not needs & PHRASES and self.phrases.may_find(word_set):
            needs |= PHRASES
        if not needs & LEXICON and not self.lexicon_gate.isdisjoint(word_set):
            needs |= LEXICON
        if not needs & CONTACTS and not self.number_words.isdisjoint(word_set):
            needs |= CONTACTS  # a phone number spelled out
        # Three one-character words in a row need a one-character word: usually there is
        # none, which spares joining the words (worked out once, for the two tests below).
        singles = _SINGLE_CHARACTERS.intersection(word_set)
        single_run: bool | None = None if singles else False
        if (
            not needs & CONTACTS
            and not _PIECE_TRIGGERS.isdisjoint(word_set)
            and (b":" in lowered or b"=" in lowered or bool(single_run))
        ):
            needs |= CONTACTS  # "sc: amy_1": a handle in pieces
        if single_run is None and (not needs & LEXICON or not needs & CONTACTS):
            # A run of three needs three one-character words: most messages have an "i" or
            # an "a" once or twice, which ``list.count`` tells without joining the words.
            single_run = sum(map(words.count, singles)) >= 3 and has_single_letter_run(words)
        if single_run and not needs & CONTACTS and not _PIECE_TRIGGERS.isdisjoint(word_set):
            needs |= CONTACTS  # "add me j e s s 1 2 on snap": a handle spelled out
        if rest:
            if b"0" in rest and (
                # Digits matter as phone numbers (many digits) or house numbers (a street word).
                rest.count(b"0") >= 7 or not _STREET_WORDS.isdisjoint(word_set)
            ):
                needs |= CONTACTS
            if b"l" in rest:
                needs |= CONTACTS  # "@": e-mail or handle
            if b"." in rest and _DOT_IN_WORD.search(shape):
                needs |= LEXICON | CONTACTS  # "f.u.c.k", "bit.ly"
            if b"!" in rest and _BANG_IN_NUMBER.search(shape):
                needs |= LEXICON
            if b"/" in rest and b"://" in lowered:
                needs |= CONTACTS  # a URL
            if b"0" in rest and b"#" in lowered and _GAMER_TAG.search(lowered):
                needs |= CONTACTS  # "bluefox#2211"
            if len(rest) >= 15:
                needs |= FLOODS  # punctuation flood ("!?!?!?...")
        if single_run and not needs & LEXICON:
            needs |= LEXICON  # single letters in a row ("f u c k")
        if len(words) >= WORD_FLOOD and len(word_set) * 2 <= len(words):
            needs |= FLOODS
        if _LONG_LETTERS in shape:
            needs |= FLOODS  # a long run of letters may be a unit flood ("hahaha...")
        return needs
