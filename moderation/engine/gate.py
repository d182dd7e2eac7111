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

The byte-level tests are measured first, all at once, as ``FACT_*`` bits (``facts_in_python``
defines them). Every message pays for them, so with the compiled engine they come from one
pass in C (``_glance.c``), which ``tests/moderation/test_glance.py`` holds to the Python
definition; the rules that read the bits are here only.
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


# What ``_facts`` tells about a message, as bits (``_glance.c`` uses the same ones).
FACT_TRIPLED = 1 << 0  # a character other than a space three times in a row (``TRIPLE``)
FACT_NOT_SIMPLE = 1 << 1  # ``tokens.not_simple``: leetspeak, stars, "!" or digits in words
FACT_DIGIT = 1 << 2
FACT_MANY_DIGITS = 1 << 3  # seven or more
FACT_LEET = 1 << 4  # "@", "$", "|" or "+"
FACT_DOT_IN_WORD = 1 << 5  # ``_DOT_IN_WORD``
FACT_BANG_IN_NUMBER = 1 << 6  # ``_BANG_IN_NUMBER``
FACT_URL = 1 << 7  # "://"
FACT_HASH = 1 << 8  # "#"
FACT_COLON_OR_EQUALS = 1 << 9
FACT_LONG_REST = 1 << 10  # 15 or more characters that are not letters, spaces, apostrophes
FACT_LONG_LETTERS = 1 << 11  # 20 letters in a row
FACT_SINGLE_RUN = 1 << 12  # three one-character words in a row ("j e s s")


def facts_in_python(lowered: bytes, words: list[bytes]) -> int:
    """The ``FACT_*`` bits of a message: ``lowered`` is its normalised text as ASCII bytes,
    ``words`` its gate words. ``_glance.facts`` (C, built with the compiled engine) answers the
    same in one pass; this is the definition, and what runs when that is not built."""
    facts = FACT_TRIPLED if has_triple(lowered) else 0
    shape = lowered.translate(SHAPE)
    # Everything but letters, spaces and apostrophes: usually nothing.
    rest = shape.translate(None, b"a '")
    if rest:
        # ``rest`` holds only "0", "l", ".", "*", "!" and "/"; ``not_simple`` needs one of
        # the first four, so without them it is False.
        if rest.translate(None, b"./") and not_simple(shape, rest):
            facts |= FACT_NOT_SIMPLE
        if b"0" in rest:
            facts |= FACT_DIGIT
            if rest.count(b"0") >= 7:
                facts |= FACT_MANY_DIGITS
        if b"l" in rest:
            facts |= FACT_LEET
        if b"." in rest and _DOT_IN_WORD.search(shape):
            facts |= FACT_DOT_IN_WORD
        if b"!" in rest and _BANG_IN_NUMBER.search(shape):
            facts |= FACT_BANG_IN_NUMBER
        if len(rest) >= 15:
            facts |= FACT_LONG_REST
    if b"://" in lowered:
        facts |= FACT_URL
    if b"#" in lowered:
        facts |= FACT_HASH
    if b":" in lowered or b"=" in lowered:
        facts |= FACT_COLON_OR_EQUALS
    if _LONG_LETTERS in shape:
        facts |= FACT_LONG_LETTERS
    # Words are runs of letters and digits, so " a a a " in their classes is three
    # one-character words in a row. Most messages have none, or an "i" or "a" once or twice.
    singles = _SINGLE_CHARACTERS.intersection(words)
    if singles and sum(map(words.count, singles)) >= 3:
        joined = (b" " + b" ".join(words) + b" ").translate(ALNUM_TO_A)
        if b" a a a " in joined:
            facts |= FACT_SINGLE_RUN
    return facts


try:  # the C version, when the compiled engine is built (``native.py``)
    from ._glance import facts as _facts
except ImportError:  # plain Python: the same answers
    _facts = facts_in_python


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
        if words is None:
            words = lowered.translate(WORD_BYTES, b"'").split()
        facts = _facts(lowered, words)
        tripled = facts & FACT_TRIPLED
        if not words:
            return FLOODS if tripled else 0
        if word_set is None:
            word_set = set(words)
        needs = 0
        if tripled:
            # Stretched letters ("fuuuck", "diiie"): words are read differently; or a flood.
            needs = LEXICON | PHRASES | FLOODS
        if facts & FACT_NOT_SIMPLE:
            # Leetspeak, stars, "!" inside words, digits against letters: words are decoded,
            # and digits against letters may be a postcode or "o" among digits.
            needs |= LEXICON | PHRASES | CONTACTS
        if not needs & PHRASES and self.phrases.may_find(word_set):
            needs |= PHRASES
        if not needs & LEXICON and not self.lexicon_gate.isdisjoint(word_set):
            needs |= LEXICON
        if not needs & CONTACTS and not self.number_words.isdisjoint(word_set):
            needs |= CONTACTS  # a phone number spelled out
        if (
            facts & (FACT_COLON_OR_EQUALS | FACT_SINGLE_RUN)
            and not needs & CONTACTS
            and not _PIECE_TRIGGERS.isdisjoint(word_set)
        ):
            # "sc: amy_1": a handle in pieces; "add me j e s s 1 2 on snap": spelled out.
            needs |= CONTACTS
        if facts & FACT_DIGIT and (
            # Digits matter as phone numbers (many digits) or house numbers (a street word).
            facts & FACT_MANY_DIGITS or not _STREET_WORDS.isdisjoint(word_set)
        ):
            needs |= CONTACTS
        if facts & FACT_LEET:
            needs |= CONTACTS  # "@": e-mail or handle
        if facts & FACT_DOT_IN_WORD:
            needs |= LEXICON | CONTACTS  # "f.u.c.k", "bit.ly"
        if facts & FACT_BANG_IN_NUMBER:
            needs |= LEXICON
        if facts & FACT_URL:
            needs |= CONTACTS  # a URL
        if facts & FACT_DIGIT and facts & FACT_HASH and _GAMER_TAG.search(lowered):
            needs |= CONTACTS  # "bluefox#2211"
        if facts & FACT_LONG_REST:
            needs |= FLOODS  # punctuation flood ("!?!?!?...")
        if facts & FACT_SINGLE_RUN:
            needs |= LEXICON  # single letters in a row ("f u c k")
        if len(words) >= WORD_FLOOD and len(word_set) * 2 <= len(words):
            needs |= FLOODS
        if facts & FACT_LONG_LETTERS:
            needs |= FLOODS  # a long run of letters may be a unit flood ("hahaha...")
        return needs
