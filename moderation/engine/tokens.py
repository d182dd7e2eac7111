"""Words of a folded message as the full scan reads them: tokens with their positions and
leetspeak readings, plain words (the cheap path for text without leetspeak), words spelled
out letter by letter or split by in-word separators, and the words inside a username.

Every function reads text already passed through ``normalise``; none keeps state.
"""

from __future__ import annotations

import re

from .lexicon import decode_variants

__all__ = [
    "HAS_INWORD_GAP",
    "INWORD_GAP_IN_SHAPE",
    "STRETCHED",
    "TOKEN",
    "WORD_BYTES",
    "Token",
    "joined_fragments",
    "not_simple",
    "simple_spans",
    "simple_texts",
    "simple_words",
    "squeeze",
    "tokenise",
    "username_pieces",
    "word_range",
]

# Lowercase letters and digits kept (uppercase ones lowered), every other byte a space.
WORD_BYTES = bytes(
    c if (97 <= c <= 122 or 48 <= c <= 57) else (c + 32 if 65 <= c <= 90 else 32)
    for c in range(256)
)
TOKEN = re.compile(r"[a-z0-9@$!|+*']+")
_NUMBERISH = re.compile(r"[0-9]+(?:st|nd|rd|th|am|pm|s|m|k|g|p|x|kg|km|cm|mm|ml|min|mins|[a-h])?")
_EDGE_LETTERS = re.compile(r"[0-9]*([a-z]{3,})[0-9]*")
STRETCHED = re.compile(r"([a-z])\1\1+")
_SEPARATOR_GAP = re.compile(r"[\s._*,~/\\\-]{1,3}")
_SEPARATOR_RUN = re.compile(r"[._*~\-]+")  # in-word separators
HAS_INWORD_GAP = re.compile(r"[a-z0-9@$!|+][._*~\-]{1,3}[a-z0-9@$!|+]")
# ``HAS_INWORD_GAP`` read in the text's ``gate.SHAPE`` classes (its characters are exactly the
# classes "a", "0", "l", "!", "." and "*"), starting at the first separator of a run: the
# regex engine skips to a separator at once instead of trying every letter.
INWORD_GAP_IN_SHAPE = re.compile(rb"[.*](?<=[a0l!][.*])[.*]{0,2}[a0l!]")
_SIMPLE_TOKEN = re.compile(r"[a-z']+|[0-9]+")
# The same tokens with the apostrophes at their edges left out (a token of apostrophes alone
# is no word): a run of letters and apostrophes from its first letter to its last.
_SIMPLE_WORD = re.compile(r"[a-z]+(?:'+[a-z]+)*|[0-9]+")
# In a ``gate.SHAPE`` string (letters "a", digits "0"): a "!" before a letter, digit or
# apostrophe, and a digit before or after a letter or apostrophe. Each starts with its rare
# byte, which the regex engine finds at once; a substring test for "a0" or "0a" reads the
# letters one by one instead (most of a message is letters).
_BANG_TOUCHING = re.compile(rb"![a0']")
_DIGIT_TOUCHING = re.compile(rb"0(?:(?=[a'])|(?<=[a']0))")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_MAX_JOINED_LOOKUPS = 400  # single-letter runs: bound the work on hostile input
_MAX_JOINED_LETTERS = 12  # a word spelled out letter by letter is short
_SQUEEZE_CACHE_LIMIT = 20_000  # words remembered by ``squeeze`` (a few MB at most)

# A token: (start, end, core, readings, word). ``core`` is the token without edge punctuation
# and apostrophes; ``readings`` its letter-only leetspeak readings for the lexicon; ``word`` what
# phrase patterns see. A tuple, not a dataclass: it is built for every word of every message.
Token = tuple[int, int, str, tuple[str, ...], str]


class _Squeezed(dict[str, str]):
    """word -> the word with stretched letters written once, worked out on a miss (and kept,
    up to a limit: a flood of distinct junk words is worked out each time)."""

    def __missing__(self, word: str) -> str:
        squeezed = STRETCHED.sub(r"\1", word)
        if len(self) < _SQUEEZE_CACHE_LIMIT:
            self[word] = squeezed
        return squeezed


_SQUEEZED = _Squeezed()


def squeeze(word: str) -> str:
    """Letters stretched three times or more written once ("dieeee" -> "die").

    Remembered per word: ``re.sub`` with a template costs a Python-level call each time."""
    return _SQUEEZED[word]


def tokenise(folded: str, stretched: bool) -> tuple[list[Token], bool]:
    """Tokens of the folded text, and whether any is a single character.

    ``stretched``: the text has a letter three times in a row somewhere, so words must be
    checked for squeezing.
    """
    tokens: list[Token] = []
    has_singles = False
    for match in TOKEN.finditer(folded):
        raw = match.group()
        if raw.isalpha():  # the common case: a plain word
            start, end, core = match.start(), match.end(), raw
            readings: tuple[str, ...] = (core,)
            word = core
        else:
            stripped = raw.strip("*'!")
            if not stripped:
                continue
            start = match.start() + (len(raw) - len(raw.lstrip("*'!")))
            end = start + len(stripped)
            core = stripped.replace("'", "") if "'" in stripped else stripped
            if not core:
                continue
            if core.isalpha():
                readings, word = (core,), core
            elif core.isdigit() or _NUMBERISH.fullmatch(core):
                readings, word = (), core
            else:
                plain = core.replace("*", "")
                found = list(decode_variants(plain))
                handle = plain.startswith("@") and len(plain) > 1
                if handle:
                    found.extend(decode_variants(plain[1:]))
                edge = _EDGE_LETTERS.fullmatch(plain)
                if edge:
                    found.append(edge.group(1))
                readings = tuple(dict.fromkeys(reading for reading in found if reading))
                if handle:
                    decoded = decode_variants(plain[1:])
                    word = decoded[0] if decoded and decoded[0] else plain
                else:
                    word = readings[0] if readings else plain
        if len(core) == 1:
            has_singles = True
        elif stretched and len(word) > 2 and STRETCHED.search(word):
            word = squeeze(word)
        tokens.append((start, end, core, readings, word))
    return tokens, has_singles


def not_simple(shape: bytes, marks: bytes | None = None) -> bool:
    """True when a token can be more than a plain word or number: leetspeak symbols, stars,
    a "!" inside a word ("sh!t"), or digits and letters run together ("sh1t", "3pm").
    Without these, tokens are runs of letters and apostrophes, or of digits.

    ``marks``, when known, is ``shape`` without its letters, spaces and apostrophes: it holds
    every other class ``shape`` does, so the one-class tests read it (it is much shorter)."""
    present = shape if marks is None else marks
    if b"l" in present or b"*" in present:
        return True
    if b"!" in present and _BANG_TOUCHING.search(shape):
        return True
    return b"0" in present and _DIGIT_TOUCHING.search(shape) is not None


def simple_words(folded: str, lowered: bytes) -> list[str]:
    """Words of a text with no leetspeak characters (see ``not_simple``), apostrophes dropped;
    ``lowered`` is ``folded`` as ASCII bytes (anything else a "?").

    Such text's tokens are maximal runs of letters and apostrophes (edge apostrophes no part
    of the word, inner ones dropped from it) or of digits: ``not_simple`` is False only when
    no digit touches a letter or an apostrophe. So deleting every apostrophe and splitting at
    every byte that is not a lowercase letter or digit gives the same words, in one translate
    and split instead of a regex match per word. Folded text is lowercase; the regex (which
    reads an uppercase letter as a separator) settles any text that is not all lowercase.
    """
    if not lowered.islower():
        return " ".join(simple_texts(folded)).replace("'", "").split()
    return lowered.translate(WORD_BYTES, b"'").decode().split()


def simple_texts(folded: str) -> list[str]:
    """Each of ``simple_words``' words as it stands in ``folded`` (apostrophes inside kept)."""
    if "'" not in folded:
        return _SIMPLE_TOKEN.findall(folded)
    return _SIMPLE_WORD.findall(folded)


def simple_spans(folded: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` for the words ``simple_words`` returns, in the same order."""
    if "'" not in folded:
        return [(m.start(), m.end(), m.group()) for m in _SIMPLE_TOKEN.finditer(folded)]
    return [
        (match.start(), match.end(), match.group().replace("'", ""))
        for match in _SIMPLE_WORD.finditer(folded)
    ]


def joined_fragments(
    folded: str, tokens: list[Token], has_singles: bool, inword: bool = True
) -> list[tuple[int, int, str]]:
    """Words split into letters or fragments: ``(start, end, joined)`` to look up.

    - runs of single characters separated by spaces or separators ("f u c k", "f.u.c.k",
      "s h 1 t"): every stretch of three to twelve of them (bounded in total);
    - fragments of one word split by in-word separators with no space ("fu.ck", "sh-it").
    """
    found: list[tuple[int, int, str]] = []
    count = len(tokens)
    budget = _MAX_JOINED_LOOKUPS
    index = 0
    while has_singles and index < count:
        if len(tokens[index][2]) != 1:
            index += 1
            continue
        run = [tokens[index]]
        while index + len(run) < count:
            following = tokens[index + len(run)]
            gap = folded[run[-1][1] : following[0]]
            if len(following[2]) != 1 or not _SEPARATOR_GAP.fullmatch(gap):
                break
            run.append(following)
        letters = "".join(token[2] for token in run)
        if len(run) >= 3 and not letters.isdigit():
            for i in range(len(run)):
                for j in range(i + 3, min(len(run), i + _MAX_JOINED_LETTERS) + 1):
                    if budget <= 0:
                        return found
                    budget -= 1
                    found.append((run[i][0], run[j - 1][1], letters[i:j]))
        index += len(run)
    if inword:
        found.extend(_inword_groups(folded, tokens))
    return found


def _inword_groups(folded: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Tokens joined by in-word separators only ("fu.ck", "sh-it", "www.x.com"): each maximal
    chain of two or more, unless every piece is a single character (that is a spelled-out run).

    Two neighbouring tokens are joined when the gap between them is one to three separator
    characters. A token starts and ends with a character that is not a separator, so such a
    gap is exactly a maximal run of separators that begins where one token ends and stops
    where the next one starts: only those runs are looked at, not every gap.
    """
    ends: dict[int, int] | None = None
    joined: list[int] = []  # i: token i and token i + 1 are joined
    for run in _SEPARATOR_RUN.finditer(folded):
        start, end = run.span()
        if end - start > 3:
            continue
        if ends is None:
            ends = {token[1]: index for index, token in enumerate(tokens)}
        index = ends.get(start)
        if index is not None and index + 1 < len(tokens) and tokens[index + 1][0] == end:
            joined.append(index)
    found: list[tuple[int, int, str]] = []
    position = 0
    while position < len(joined):
        first = last = joined[position]
        position += 1
        while position < len(joined) and joined[position] == last + 1:
            last = joined[position]
            position += 1
        group = tokens[first : last + 2]
        if not all(len(token[2]) == 1 for token in group):
            found.append((group[0][0], group[-1][1], "".join(token[2] for token in group)))
    return found


def username_pieces(text: str) -> list[tuple[int, int, str]]:
    """Words inside a username: camelCase parts and letter runs ("BigFatCunt99")."""
    pieces: list[tuple[int, int, str]] = []
    for match in _CAMEL.finditer(text):
        word = match.group().lower()
        if len(word) >= 3:
            pieces.append((match.start(), match.end(), word))
    return pieces


def word_range(words_text: str, start: int, end: int) -> tuple[int, int]:
    """The words ``[first, last)`` that characters ``start`` to ``end`` of ``words_text``
    (``" w1 w2 ... "``, as ``PhraseSet.find`` reads) cover, ``start`` being the first
    character of a word and ``end`` just after the last."""
    return words_text.count(" ", 0, start) - 1, words_text.count(" ", 0, end)
