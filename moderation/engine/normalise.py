"""Fold text into the one lowercase, mostly-ASCII form that every matcher reads.

Contract:
- ``normalise(text)`` never raises for any ``str`` (control characters, bidi overrides, lone
  surrogates included) and returns the folded text.
- ``offsets(text)`` returns, for every character of ``normalise(text)``, the index of the
  original character it came from, plus one sentinel equal to ``len(text)``; so a span
  ``[a, b)`` of the folded text maps to ``[offsets[a], offsets[b - 1] + 1)`` of the original.
- For printable ASCII the fold is exactly ``str.lower`` (same length, identity offsets), which is
  the fast path that most chat takes.

What the fold does, character by character (memoised, so each distinct character is analysed
once per process):
1. compatibility decomposition (NFKD: the compatibility mapping of NFKC, decomposed so that
   accents can be dropped; full-width and mathematical letters become plain letters,
   ligatures come apart, accents split off),
2. case folding,
3. dropping combining marks (Zalgo stacks, accents), invisible format characters (zero-width
   space/joiners, word joiner, soft hyphen, BOM, bidi controls and overrides, tag characters),
   variation selectors, control characters and lone surrogates,
4. mapping look-alike letters of other scripts (Cyrillic "с", Greek "ο", ...) to the Latin
   letter or digit they imitate, using Unicode's confusables data shipped by
   ``confusable_homoglyphs`` (built into a table once, at import),
5. whitespace of any kind becomes a plain space; curly quotes become "'" and dashes "-".

Leetspeak is *not* undone here: digits matter to phone numbers and postcodes, so the lexicon
decodes leetspeak per word (see ``lexicon.py``).
"""

from __future__ import annotations

import unicodedata

from confusable_homoglyphs import utils as confusable_data

__all__ = ["normalise", "offsets", "is_plain"]

# Categories of characters that carry no visible letter: controls, format characters (zero-width
# joiners, bidi controls, tag characters, soft hyphen, BOM), surrogates and combining marks
# (variation selectors are combining marks too).
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Mn", "Me"})

# Latin letters that have no decomposition and are not in the confusables data as an ASCII
# look-alike, yet read as a plain letter to any child.
_LATIN_EXTRA = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "ı": "i",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ð": "d",
    "ŧ": "t",
    "ƒ": "f",
}

_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
}


def _build_confusable_table() -> dict[str, str]:
    """Map every non-ASCII character whose homoglyph is an ASCII letter/digit to that letter.

    Letters win over digits (Cyrillic "О" looks like both "O" and "0"; as a letter it keeps
    words intact, and leetspeak decoding would turn a "0" into "o" anyway).
    """
    table: dict[str, str] = {}
    # Read the package's data file directly (not its ``confusables`` module, which would keep
    # the whole 900 KB table alive for the life of the process).
    for char, homoglyphs in confusable_data.load("confusables.json").items():
        if len(char) != 1 or char.isascii():
            continue
        letters = [
            h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum()
        ]
        if not letters:
            continue
        letters.sort(key=lambda c: (not c.isalpha(), c))
        table[char] = letters[0].lower()
    # The data often lists only the capital form ("К" ~ "K"); the small letter looks like a
    # small capital of the same Latin letter, so it inherits the capital's mapping.
    for char in list(table):
        small = char.lower()
        if len(small) == 1 and small != char and small not in table:
            table[small] = table[char]
    # Greek small letters that look like a *different* Latin small letter than their capitals
    # do ("μ" reads as "u", capital "Μ" as "M"); the data has no entry for them.
    table.update({"μ": "u", "η": "n", "ω": "w", "τ": "t", "κ": "k", "ι": "i", "ε": "e"})
    # Enclosed letters that have no compatibility decomposition (negative circled/squared
    # letters and regional indicators) are a favourite way to write words in "emoji".
    for base in (0x1F150, 0x1F170, 0x1F1E6):
        for i in range(26):
            table[chr(base + i)] = chr(ord("a") + i)
    return table


_CONFUSABLE = _build_confusable_table()


def _fold_char(char: str) -> str:
    """The folded form of one character (possibly empty, possibly several characters)."""
    if char in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85":
        return " "
    if char.isascii():
        if char.isprintable():
            return char.lower()
        return ""  # other C0 controls and DEL
    if char.isspace():
        return " "
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    if unicodedata.category(char) == "Cs":  # lone surrogate: nothing to decompose
        return ""
    out: list[str] = []
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    for piece in decomposed:
        if unicodedata.category(piece) in _DROPPED_CATEGORIES:
            continue
        if piece.isascii():
            out.append(piece.lower() if piece.isprintable() else "")
            continue
        if piece.isspace():
            out.append(" ")
            continue
        mapped = _CONFUSABLE.get(piece) or _LATIN_EXTRA.get(piece) or _PUNCTUATION.get(piece)
        out.append(mapped if mapped is not None else piece)
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that works out (and remembers) each character's fold on demand.

    The cache only grows with the number of distinct characters ever seen (bounded by Unicode,
    in practice a few thousand), so no eviction is needed.
    """

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


def is_plain(text: str) -> bool:
    """True when the fold is plain ``str.lower`` (printable ASCII): identity offsets."""
    return text.isascii() and text.isprintable()


_RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: shows what follows backwards ("f\u202ekcu" shows "fuck")
_OVERRIDE_ENDS = frozenset("\u202c\u202d\u202e\u2066\u2067\u2068\u2069\n\r")


def _display_order(text: str) -> list[int]:
    """Indices of ``text`` in the order a reader sees them, for right-to-left overrides.

    A simplified bidi pass: each RLO reverses the characters up to the next directional
    control or line end. That is what a child abusing the override sees, which is what counts.
    """
    order: list[int] = []
    index, length = 0, len(text)
    while index < length:
        if text[index] == _RLO:
            end = index + 1
            while end < length and text[end] not in _OVERRIDE_ENDS:
                end += 1
            order.append(index)
            order.extend(range(end - 1, index, -1))
            index = end
        else:
            order.append(index)
            index += 1
    return order


def normalise(text: str) -> str:
    """The folded form of ``text`` (see the module docstring)."""
    if is_plain(text):
        return text.lower()
    if _RLO in text:
        fold = _FOLD
        return "".join(fold[ord(text[index])] for index in _display_order(text))
    return text.translate(_FOLD)


def offsets(text: str) -> list[int]:
    """Original index of every folded character, plus the sentinel ``len(text)``.

    Only called when something matched, so its per-character loop is off the hot path.
    """
    if is_plain(text):
        return list(range(len(text) + 1))
    result: list[int] = []
    fold = _FOLD
    order = _display_order(text) if _RLO in text else range(len(text))
    for index in order:
        piece = fold[ord(text[index])]
        if piece:
            result.extend([index] * len(piece))
    result.append(len(text))
    return result


def span_to_original(offset_map: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a folded span ``[start, end)`` to the original text (``end`` exclusive).

    Uses the lowest and highest original index in the span, so a span read through a
    right-to-left override still covers every original character it came from.
    """
    if end <= start:
        position = offset_map[min(start, len(offset_map) - 1)]
        return position, position
    covered = offset_map[start:end]
    return min(covered), max(covered) + 1
