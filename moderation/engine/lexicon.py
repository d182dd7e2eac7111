"""Word lists (better-profanity's, ours, staff watched words) compiled into one lookup.

A *term* is a word ("fuck") or a short literal phrase ("blow job"). Single words are indexed by
their *skeleton*: the word with every run of a repeated letter collapsed to one letter
("assess" -> "ases", "fuuuck" -> "fuck"). A word matches a term when both skeletons are equal
and every letter run of the word is at least as long as the term's: so "fuuuck" and "asssss"
match "fuck" and "ass", but "as" does not match "ass". This is the "collapse to one and to two"
rule without generating spellings.

Words are looked up whole, never as substrings, which is what lets "Scunthorpe", "assessment"
and "cocktail" through. Roots marked with a trailing ``+`` in a data file also match with a
common suffix ("fuck+" covers "fucking", "fuckers", "fuckwit"), checked on the skeleton.

Leetspeak is decoded per word before the lookup (``decode_variants``): "@" "4" -> a, "3" -> e,
"1" -> i or l (both are tried), "!" -> i, "0" -> o, "$" "5" -> s, "7" "+" -> t, "|" -> l or i,
"8" -> b, "9" -> g. A star inside a word is a wildcard for one to three letters ("f*ck",
"f**k", "sh*t"), answered by a separate index of masked spellings.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .normalise import normalise
from .paths import DATA_DIR

__all__ = [
    "Lexicon",
    "Term",
    "builtin_terms",
    "decode_variants",
    "read_data_lines",
    "skeleton",
]


# Lower number wins when two terms share a spelling.
_SOURCE_PRIORITY = {"watched": 0, "builtin": 1, "better-profanity": 2}
_CATEGORY_PRIORITY = {"hate": 0, "sexual": 1, "bullying": 2, "profanity": 3}

# Suffixes that a ``+`` root may carry, written as skeletons (no doubled letters).
_SUFFIXES = (
    "s",
    "es",
    "ed",
    "er",
    "ers",
    "in",
    "ing",
    "ings",
    "y",
    "ie",
    "ies",
    "head",
    "heads",
    "face",
    "faces",
    "hole",
    "holes",
    "wit",
    "wits",
    "tard",
    "tards",
    "bag",
    "bags",
    "stick",
    "sticks",
    "stain",
    "of",
    "nugets",
    "nuget",
)

_LEET_PRIMARY = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "3": "e",
        "1": "i",
        "!": "i",
        "0": "o",
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
        "|": "l",
        "8": "b",
        "9": "g",
        "'": None,
    }
)
# Characters that may stand for either of two letters.
_LEET_AMBIGUOUS = {"1": ("i", "l"), "|": ("l", "i")}
_MAX_AMBIGUOUS = 4  # 2**4 variants at most; more than that is noise, not a word

_MISSING = object()
_WORD_LINE = re.compile(r"[a-z]+(?: [a-z]+)*\+?")
_PLAIN_LINE = re.compile(r"[a-z]+(?: [a-z]+)*")


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of the lexicon.

    ``term`` is the normalised spelling ("fuck", "blow job"); ``action`` is "block", "flag" or
    "allow" (allow only comes from staff watched words and silences the builtin lists for that
    spelling); ``source`` names where it came from ("builtin:profanity", "better-profanity",
    "watched:<id>"); ``root`` means "also with a common suffix".
    """

    term: str
    category: str
    action: str
    source: str
    root: bool = False

    @property
    def priority(self) -> tuple[int, int]:
        kind = self.source.split(":", 1)[0]
        return (_SOURCE_PRIORITY.get(kind, 9), _CATEGORY_PRIORITY.get(self.category, 5))


def read_data_lines(path: Path) -> Iterator[str]:
    """Non-blank lines of a data file, with ``#`` comments (whole line or trailing) removed."""
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.split("#", 1)[0].strip()
            if line:
                yield line


def skeleton(word: str) -> tuple[str, tuple[int, ...]]:
    """The word with letter runs collapsed to one, and the length of each run."""
    letters: list[str] = []
    runs: list[int] = []
    previous = ""
    for char in word:
        if char == previous:
            runs[-1] += 1
        else:
            letters.append(char)
            runs.append(1)
            previous = char
    return "".join(letters), tuple(runs)


def decode_variants(token: str) -> list[str]:
    """Letter-only readings of a token written with leetspeak (at most 16).

    A token of digits only is a number, not leetspeak, and has no reading.
    """
    if token.isdigit():
        return []
    if token.isalpha():
        return [token]
    ambiguous = [c for c in token if c in _LEET_AMBIGUOUS]
    if not ambiguous or len(ambiguous) > _MAX_AMBIGUOUS:
        decoded = token.translate(_LEET_PRIMARY)
        return [_letters_only(decoded)]
    readings: list[str] = []
    positions = [i for i, c in enumerate(token) if c in _LEET_AMBIGUOUS]
    choices = [_LEET_AMBIGUOUS[token[i]] for i in positions]
    chars = list(token)
    for combination in itertools.product(*choices):
        for position, letter in zip(positions, combination, strict=True):
            chars[position] = letter
        readings.append(_letters_only("".join(chars).translate(_LEET_PRIMARY)))
    return readings


def _letters_only(text: str) -> str:
    return "".join(c for c in text if "a" <= c <= "z") if not text.isalpha() else text


def _better_profanity_words() -> list[str]:
    """The better-profanity package's own word list, read from its installed data file.

    The package is located, not imported: only its list is used, not its matcher.
    """
    spec = importlib.util.find_spec("better_profanity")
    if spec is None or spec.origin is None:
        raise ImportError("better-profanity is not installed")
    path = Path(spec.origin).resolve().parent / "profanity_wordlist.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def builtin_terms(data_dir: Path = DATA_DIR) -> list[Term]:
    """Every builtin term: our own word files first, then better-profanity's list.

    better-profanity's entries are dropped when they are listed in ``profanity_exclude.txt``
    (too broad for children's chat, e.g. "kill", "xxx", "hemp"), when they are its own
    obfuscated variants (digits, symbols, dashes: we normalise instead), or when our own files
    already give the word a category.
    """
    terms: list[Term] = []
    seen: set[str] = set()
    for category in ("hate", "sexual", "profanity"):
        for line in read_data_lines(data_dir / "words" / f"{category}.txt"):
            root = line.endswith("+")
            word = normalise(line.rstrip("+")).strip()
            if not _WORD_LINE.fullmatch(word):
                raise ValueError(f"words/{category}.txt: not a plain word or phrase: {line!r}")
            if word in seen:
                continue
            seen.add(word)
            terms.append(Term(word, category, "block", f"builtin:{category}", root))
    excluded = {normalise(line) for line in read_data_lines(data_dir / "profanity_exclude.txt")}
    for raw in _better_profanity_words():
        word = normalise(raw).strip()
        if word in excluded or word in seen or not _PLAIN_LINE.fullmatch(word):
            continue
        seen.add(word)
        terms.append(Term(word, "profanity", "block", "better-profanity"))
    return terms


class Lexicon:
    """Compiled lookup over a set of terms (immutable once built).

    - ``lookup(word)``: the term a letters-only word spells, or None.
    - ``lookup_star(token)``: the term a starred token ("f*ck") stands for, or None.
    - ``phrases``: multi-word terms, matched by the phrase matcher.
    - ``gate_words``: ASCII byte-strings of every spelling the fast path must not skip.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        by_spelling: dict[str, Term] = {}
        for term in terms:
            current = by_spelling.get(term.term)
            if current is None or term.priority < current.priority:
                by_spelling[term.term] = term
        self._single: dict[str, list[tuple[tuple[int, ...], Term]]] = {}
        self._roots: dict[str, list[tuple[tuple[int, ...], Term]]] = {}
        self.phrases: tuple[Term, ...] = tuple(t for t in by_spelling.values() if " " in t.term)
        star: dict[str, Term] = {}
        gate: set[bytes] = set()
        for term in sorted(by_spelling.values(), key=lambda t: t.priority):
            if " " in term.term:
                continue  # matched (and gated) as a phrase pattern by the engine
            skel, runs = skeleton(term.term)
            self._single.setdefault(skel, []).append((runs, term))
            if term.root:
                self._roots.setdefault(skel, []).append((runs, term))
            gate.update(_spellings_with_doubles(term.term))
            if term.root:
                for suffix in _SUFFIXES:
                    for stem in (term.term, term.term + term.term[-1]):
                        gate.update(_spellings_with_doubles(stem + suffix, most=1))
            if term.action != "allow" and len(term.term) >= 4:  # "a*s" is a grade, not "ass"
                for mask in _star_masks(term.term):
                    star.setdefault(mask, term)
        self._star = star
        self.gate_words = frozenset(gate)
        self._cache: dict[str, Term | None] = {}

    def lookup(self, word: str) -> Term | None:
        """The term spelled by ``word`` (lowercase letters only), allowing stretched letters."""
        cache = self._cache
        found = cache.get(word, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        found = self._lookup(word)
        if len(cache) > 50_000:  # bounded memory under a flood of distinct junk words
            cache.clear()
        cache[word] = found
        return found

    def _lookup(self, word: str) -> Term | None:
        skel, runs = skeleton(word)
        for term_runs, term in self._single.get(skel, ()):
            if len(term_runs) == len(runs) and all(
                have >= need for have, need in zip(runs, term_runs, strict=True)
            ):
                return term
        for suffix in _SUFFIXES:
            if len(skel) > len(suffix) + 2 and skel.endswith(suffix):
                stem = skel[: -len(suffix)]
                for term_runs, term in self._roots.get(stem, ()):
                    if all(have >= need for have, need in zip(runs, term_runs, strict=False)):
                        return term
        return None

    def lookup_star(self, token: str) -> Term | None:
        """The term a token with an inner wildcard stands for ("f*ck", "sh**", "b*tch")."""
        mask = re.sub(r"\*+", "*", token)
        if mask.count("*") != 1 or mask.startswith("*") or mask.endswith("*"):
            return None
        head, tail = mask.split("*")
        readings = [
            f"{h}*{t}"
            for h in (decode_variants(head) or [head])
            for t in (decode_variants(tail) or [tail])
        ]
        for reading in readings:
            found = self._star.get(reading)
            if found is not None:
                return found
        return None


def _spellings_with_doubles(word: str, most: int | None = None) -> Iterator[bytes]:
    """The word with letters doubled: every combination for words of up to four letters
    ("ffuucckk"), up to two doubled letters for longer ones (one for very long ones).

    Runs of three or more are "stretched" and handled by the skeleton lookup instead.
    """
    runs = [match.group() for match in re.finditer(r"(.)\1*", word)]
    singles = [i for i, run in enumerate(runs) if len(run) == 1]
    if most is None:
        most = len(singles) if len(singles) <= 4 else 2 if len(singles) <= 7 else 1
    yield word.encode()
    for count in range(1, most + 1):
        for chosen in itertools.combinations(singles, count):
            yield "".join(run * 2 if i in chosen else run for i, run in enumerate(runs)).encode()


def _star_masks(word: str) -> Iterator[str]:
    """Spellings with one to three inner letters hidden by a single "*" (two letters kept)."""
    n = len(word)
    for start in range(1, n):
        for length in (1, 2, 3):
            end = start + length
            if end > n or n - length < max(2, length):
                continue  # at least two letters kept, and no more hidden than kept
            if end == n and n - length < 3:
                continue  # "f*" is too little to go on; "fu*" / "sh*" is not asserted either
            if end == n:
                continue  # a trailing star is emphasis or an unfinished word, not a mask
            yield f"{word[:start]}*{word[end:]}"
