"""Contact details and links: phone numbers, e-mail addresses, postcodes, street addresses,
social-media handles and URLs.

Everything here reads the normalised text (``normalise.py``) or its word list. Each finder is a
cheap, linear regex or loop that only proposes *candidates*; the expensive check (the
``phonenumbers`` parser, about 0.2 ms) runs on candidates only, so clean text costs nothing.

Spelled-out and spaced phone numbers ("oh seven seven double oh nine ...", "0 7 7 0 0 ...")
are found from the word list; numbers and handles in pieces in ``contact_pieces.py``; phrases
such as "add me on snap" and "amy at gmail dot com" are
phrase patterns in ``data/phrases/personal_info.txt`` and ``data/phrases/link.txt``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

import phonenumbers

from .tokens import word_range

__all__ = [
    "PLATFORM_WORDS",
    "SPELLED_DIGIT_WORDS",
    "STREET_TYPES",
    "ContactHit",
    "digit_count",
    "find_contacts",
]


class ContactHit(NamedTuple):
    """A span ``[start, end)`` of the normalised text (or a word range, see ``words``)."""

    category: str
    start: int
    end: int
    term: str
    source: str
    words: bool = False  # True: start/end are word indices (end exclusive), not characters


# Digits separated by at most two spacing/punctuation characters: "07700 900123",
# "07700-900-123", "(0113) 496 0000", "+44 7700 900123". Bounded repetition, so linear.
_PHONE_CANDIDATE = re.compile(r"(?<![0-9])\+?[0-9](?:[ ().\-/]{0,2}[0-9]){8,16}(?![0-9])")

_DIGIT = re.compile(r"[0-9]")
_DOT_IN_WORD = re.compile(r"\.(?<=[a-z0-9]\.)[a-z]")  # from the dot: found at once
_LETTER_O_IN_NUMBER = re.compile(r"(?<![a-z])[0-9o]+(?![a-z])")
_O_BY_DIGIT = re.compile(r"[0-9]o|o[0-9]")

_EMAIL = re.compile(
    r"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,4}"
    r"\.[a-z]{2,12}(?![a-z0-9])"
)
_MAIL_PROVIDERS = (
    "gmail|googlemail|hotmail|outlook|yahoo|icloud|aol|live|btinternet|sky|msn|protonmail|me"
)
# "amy@gmail" with no ".com" is still an address.
_EMAIL_PROVIDER = re.compile(rf"[a-z0-9._\-]@ ?(?:{_MAIL_PROVIDERS})(?![a-z0-9])")

_HANDLE = re.compile(r"(?<![a-z0-9._%+\-@])@[a-z0-9_][a-z0-9_.]{1,29}")
# A gamer tag with its number ("bluefox#2211", Discord's and Battle.net's form): a name run
# into "#" and four or five digits ("we're #1" has no name before it, "year7#1" too few).
GAMER_TAG = re.compile(r"(?<![a-z0-9_.])[a-z][a-z0-9_.]{1,31}#[0-9]{4,5}(?![0-9])")

# UK postcode: outward code (letters that can start a postcode area, then digits) and inward
# code (a digit and two letters from the set the Royal Mail uses: no C I K M O V).
_POSTCODE = re.compile(
    r"(?<![a-z0-9])([a-pr-uwyz][a-hk-y]?[0-9][a-hjkps-uw0-9]?) ?"
    r"([0-9][abd-hjlnp-uw-z]{2})(?![a-z0-9])"
)
# Things children type that look like postcodes: ordinals ("b4 2nd"), text-speak ("4ur"),
# consoles ("ps5").
# An inward code in a ``gate.SHAPE`` string (a regex: it finds the digit first, where a
# substring test would try every letter).
_INWARD_SHAPE = re.compile(rb"0aa")
_POSTCODE_INWARD_NOT = frozenset({"1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th"})
_POSTCODE_INWARD_NOT |= {"4ur", "2ur", "2nt", "4ul"}
_POSTCODE_OUTWARD_NOT = frozenset({"ps1", "ps2", "ps3", "ps4", "ps5", "b4", "m8", "l8", "w8", "h8"})

_STREET_TYPES = (
    "road|rd|street|avenue|ave|lane|crescent|grove|gardens|terrace|mews|close|drive|way|court|"
    "place|square|walk|row|hill|park|parade|rise|vale|view|gate|green|fields"
)
# Words that cannot sit between a house number and a street name; they are what makes
# "3 goals in the park" or "10 minute walk" ordinary sentences.
_NOT_STREET_NAME = (
    "the|a|an|in|on|at|to|of|my|and|for|with|from|by|min|mins|minute|minutes|hour|hours|mile|"
    "miles|km|metres|meters|steps|goals|points|times|laps|people|kids|friends|year|years|days"
)
STREET_TYPES = frozenset(_STREET_TYPES.split("|"))
_ADDRESS = re.compile(
    rf" [0-9]{{1,4}}[a-z]?(?: (?!(?:{_NOT_STREET_NAME}) )[a-z]+){{1,3}} (?:{_STREET_TYPES})(?= )"
)

_URL = re.compile(r"(?:https?://|www\.)[^\s]+")
_DOMAIN = re.compile(
    r"(?<![a-z0-9@._\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){1,6}"
    r"(?:com|net|org|uk|io|ly|gg|tv|app|xyz|info|biz|ru|dev|online|site|shop|store|club|link|"
    r"gov|edu|eu)"
    r"(?![a-z0-9\-])(?:/[^\s]*)?"
    r"|(?<![a-z0-9@._\-])(?:t\.me|youtu\.be|wa\.me)/[^\s]*"
)

PLATFORM_WORDS = frozenset(
    [
        "snap",
        "snapchat",
        "sc",
        "insta",
        "instagram",
        "ig",
        "tiktok",
        "tt",
        "whatsapp",
        "whatsap",
        "discord",
        "kik",
        "telegram",
        "fb",
        "facebook",
        "twitter",
        "roblox",
        "xbox",
        "psn",
        "steam",
        "twitch",
        "youtube",
        "yt",
        "wechat",
        "signal",
        "skype",
        "viber",
        "threads",
    ]
)

SPELLED_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_REPEATERS = {"double": 2, "triple": 3, "treble": 3}


@functools.lru_cache(maxsize=4096)
def looks_like_phone(digits: str, international: bool) -> bool:
    """True when a digit string is a plausible phone number (UK rules, or any with "+").

    Memoised (a pure function of its arguments): the parser costs tens of microseconds, and
    one number is often checked twice (whole, then as pieces) and sent more than once."""
    try:
        if international:
            number = phonenumbers.parse("+" + digits, None)
        elif digits.startswith("00") and len(digits) >= 11:
            number = phonenumbers.parse("+" + digits[2:], None)
        elif digits.startswith("44") and len(digits) == 12:
            number = phonenumbers.parse("+" + digits, None)
        elif digits.startswith("0") and 10 <= len(digits) <= 11:
            number = phonenumbers.parse(digits, "GB")
        elif digits.startswith("7") and len(digits) == 10:  # a mobile without its leading 0
            number = phonenumbers.parse("0" + digits, "GB")
        else:
            return False
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)


def _spelled_numbers(words: Sequence[str]) -> list[ContactHit]:
    """Runs of number words and digits that spell a phone number."""
    hits: list[ContactHit] = []
    start = -1
    digits: list[str] = []
    spelled = False
    repeat = 1

    def close(end: int) -> None:
        if start >= 0 and spelled and len("".join(digits)) >= 10:
            number = "".join(digits)
            if looks_like_phone(number, international=False):
                hits.append(
                    ContactHit("personal_info", start, end, number, "pattern:uk_phone", True)
                )

    for index, word in enumerate(words):
        if word in _REPEATERS:
            if start < 0:
                start, digits, spelled = index, [], False
            repeat = _REPEATERS[word]
            spelled = True
            continue
        digit = SPELLED_DIGIT_WORDS.get(word)
        if digit is None and word.isdigit() and len(word) <= 11:
            digit = word
        if digit is None:
            close(index)
            start, digits, spelled, repeat = -1, [], False, 1
            continue
        if start < 0:
            start, digits, spelled = index, [], False
        if not word.isdigit():
            spelled = True
        digits.append(digit[0] * repeat + digit[1:] if repeat > 1 else digit)
        repeat = 1
    close(len(words))
    return hits


def find_contacts(
    text: str,
    words: Sequence[str],
    word_set: set[str],
    words_text: str,
    has_digits: bool | None = None,
    shape: bytes | None = None,
) -> list[ContactHit]:
    """Every phone number, e-mail, postcode, address, handle, gamer tag and link in normalised
    ``text``.

    ``words``/``word_set``/``words_text`` are the message's word list, set and the
    space-joined form (see ``scan.py``); ``has_digits`` may be passed when already known, and
    ``shape``, the text's ASCII bytes translated by ``gate.SHAPE`` (one class per character).
    """
    hits: list[ContactHit] = []
    if has_digits is None:
        has_digits = _DIGIT.search(text) is not None
    # A phone candidate has nine digits or more, each a digit of ``text`` or an "o" that
    # ``_o_to_zero`` made one: with fewer of both together there is none to look for.
    if has_digits and digit_count(text) + text.count("o") >= 9:
        # "o7700 9oo 123": a letter o among digits is a zero. Same length, so spans still fit.
        # Only a run with an "o" next to a digit changes, so without one nothing is replaced.
        digits_text = (
            _LETTER_O_IN_NUMBER.sub(_o_to_zero, text) if _O_BY_DIGIT.search(text) else text
        )
        for match in _PHONE_CANDIDATE.finditer(digits_text):
            candidate = match.group()
            digits = "".join(c for c in candidate if c.isdigit())
            if looks_like_phone(digits, international=candidate.startswith("+")):
                hits.append(
                    ContactHit(
                        "personal_info", match.start(), match.end(), digits, "pattern:uk_phone"
                    )
                )
    if has_digits:
        # A postcode's inward code is a digit and two letters ("1aa"); ``shape`` (``SHAPE``
        # classes) shows one as "0aa", so without that there is no postcode.
        maybe_postcode = shape is None or _INWARD_SHAPE.search(shape) is not None
        for match in _POSTCODE.finditer(text) if maybe_postcode else ():
            outward, inward = match.group(1), match.group(2)
            if inward in _POSTCODE_INWARD_NOT or outward in _POSTCODE_OUTWARD_NOT:
                continue
            hits.append(
                ContactHit(
                    "personal_info", match.start(), match.end(), match.group(), "pattern:postcode"
                )
            )
        # An address ends in a street type standing as a word of its own.
        address = None if STREET_TYPES.isdisjoint(word_set) else _ADDRESS.search(words_text)
        if address:
            hits.append(_words_hit(words_text, address, "pattern:address"))
    if has_digits and "#" in text:
        for match in GAMER_TAG.finditer(text):
            hits.append(
                ContactHit(
                    "personal_info", match.start(), match.end(), match.group(), "pattern:gamer_tag"
                )
            )
    if word_set & SPELLED_DIGIT_WORDS.keys() or word_set & _REPEATERS.keys():
        hits.extend(_spelled_numbers(words))
    if "@" in text:
        found_email = False
        for match in _EMAIL.finditer(text):
            found_email = True
            hits.append(
                ContactHit(
                    "personal_info", match.start(), match.end(), match.group(), "pattern:email"
                )
            )
        if not found_email:
            for match in _EMAIL_PROVIDER.finditer(text):
                hits.append(
                    ContactHit(
                        "personal_info", match.start(), match.end(), match.group(), "pattern:email"
                    )
                )
        if word_set & PLATFORM_WORDS:
            for match in _HANDLE.finditer(text):
                hits.append(
                    ContactHit(
                        "personal_info", match.start(), match.end(), match.group(), "pattern:handle"
                    )
                )
    if "." in text and _DOT_IN_WORD.search(text):
        for regex in (_URL, _DOMAIN):
            for match in regex.finditer(text):
                hits.append(
                    ContactHit("link", match.start(), match.end(), match.group(), "pattern:url")
                )
    return hits


def digit_count(text: str) -> int:
    """How many characters of ``text`` are digits (``str.isdigit``: at least the 0-9 the
    regexes read), without a Python-level call per character for ASCII text."""
    if text.isascii():
        return len(text) - len(text.encode("ascii").translate(None, b"0123456789"))
    return sum(map(str.isdigit, text))


def _o_to_zero(match: re.Match[str]) -> str:
    run = match.group()
    return run.replace("o", "0") if run.strip("o") else run


def _words_hit(words_text: str, match: re.Match[str], source: str) -> ContactHit:
    # The match starts at the space before its first word.
    first, last = word_range(words_text, match.start() + 1, match.end())
    return ContactHit("personal_info", first, last, match.group().strip(), source, True)
