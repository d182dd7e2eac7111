"""Phrase patterns: a tiny, human-readable pattern language compiled to anchored regexes.

Phrase files (``moderation/data/phrases/<category>.txt``) hold one pattern per line. A pattern
is matched against the message's *words*: lowercase, punctuation dropped, apostrophes removed
(so "don't" is written and matched as "dont"), leetspeak decoded, and letters stretched three
times or more squeezed back ("dieeee" -> "die"). The syntax:

    word word        consecutive words; a doubled letter also matches a single one
                     ("kill" matches "kil"); apostrophes in the file are ignored ("don't")
    [a b]  [a | b]   optional words (or optional alternatives)
    (a | b c | d)    one of the alternatives (alternatives may be several words)
    ?                any one word
    ...              up to three words
    !word  !(a | b)  the next words are NOT these ("want to die !(my | laughing)")
    {name}           a macro from ``phrases/macros.txt`` (``name = pattern`` lines)
    tag: pattern     an optional label (lowercase letters and _) before the pattern, used by
                     some categories (grooming stages, "severe" bullying)

Every pattern must contain at least one required word that is not a common word: it is the
pattern's *anchor*. A pattern is only tried when one of its anchor words is in the message,
which keeps clean chat from paying for hundreds of regexes. Each compiled pattern is a plain
sequence of literal words and bounded gaps, so matching is linear (no nested unbounded
repetition, no catastrophic backtracking).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .lexicon import read_data_lines
from .paths import DATA_DIR

__all__ = [
    "SIGNAL_CATEGORIES",
    "WEAK_PREFIX",
    "Phrase",
    "PhraseSet",
    "compile_pattern",
    "load_macros",
    "load_phrase_file",
]

# Phrase files whose matches are signals for conversation checks, never findings themselves.
SIGNAL_CATEGORIES = frozenset({"distress"})
# Tag prefix of signal-only stages ("weak_age: how old are you").
WEAK_PREFIX = "weak_"

# Words too frequent in chat to be the only reason to try a pattern (see the data file).
_COMMON_WORDS = frozenset(
    word for line in read_data_lines(DATA_DIR / "common_words.txt") for word in line.split()
)

_CHECKED_SETS = 8  # required word sets besides the anchor checked before running a regex
_TOKEN = re.compile(r"\(|\)|\[|\]|\||!|<n>|\{[a-z_]+\}|\.\.\.|\?|[a-z0-9']+")
_NUMBER_WORDS = (
    "[0-9]+|a couple|a few|loads|lots|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    "twelve|fifteen|twenty|thirty|forty|fifty|hundred|a hundred"
)
_TAG = re.compile(r"^([a-z_]+):\s+(.*)$")

# ("word", w) | ("any",) | ("gap",) | ("opt", seq) | ("not", seq) | ("alt", [seq, ...])
Node = tuple[Any, ...]
_Word = TypeVar("_Word", str, bytes)


@dataclass(frozen=True, eq=False)
class Phrase:
    """One compiled pattern. ``source`` e.g. "pattern:self_harm", "builtin:sexual"."""

    category: str
    tag: str
    text: str
    source: str
    action: str
    regex: re.Pattern[str] = field(compare=False, repr=False)
    required: tuple[frozenset[str], ...] = field(compare=False, repr=False)

    @property
    def anchors(self) -> frozenset[str]:
        """The cheapest required word set: the pattern is indexed by these words."""
        return self.required[0]

    @property
    def signal_only(self) -> bool:
        """A signal for conversation checks (distress, weak grooming stages), not a finding."""
        return self.category in SIGNAL_CATEGORIES or self.tag.startswith(WEAK_PREFIX)


class PatternError(ValueError):
    """A line of a phrase file that does not parse (raised at load time, never per message)."""


def _tokenise(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise PatternError(f"unexpected characters in pattern: {text!r}")
    return tokens


def _parse(tokens: list[str], macros: dict[str, list[Node]]) -> list[Node]:
    position = 0

    def sequence(stops: tuple[str, ...]) -> list[Node]:
        nodes: list[Node] = []
        while position < len(tokens) and tokens[position] not in stops:
            nodes.append(element())
        return nodes

    def element() -> Node:
        nonlocal position
        piece = tokens[position]
        position += 1
        if piece == "(":
            alternatives = [sequence(("|", ")"))]
            while position < len(tokens) and tokens[position] == "|":
                position += 1
                alternatives.append(sequence(("|", ")")))
            expect(")")
            if any(not alternative for alternative in alternatives):
                raise PatternError("empty alternative: use [optional] instead")
            return ("alt", alternatives)
        if piece == "[":
            options = [sequence(("|", "]"))]
            while position < len(tokens) and tokens[position] == "|":
                position += 1
                options.append(sequence(("|", "]")))
            expect("]")
            if any(not option for option in options):
                raise PatternError("empty alternative inside [ ]")
            return ("opt", [("alt", options)])
        if piece == "!":
            if position >= len(tokens):
                raise PatternError("'!' needs a word or group after it")
            return ("not", [element()])
        if piece == "?":
            return ("any",)
        if piece == "<n>":
            return ("num",)
        if piece == "...":
            return ("gap",)
        if piece.startswith("{"):
            name = piece[1:-1]
            if name not in macros:
                raise PatternError(f"unknown macro {{{name}}}")
            return ("alt", [macros[name]])
        if piece in ")]|":
            raise PatternError(f"unbalanced {piece!r}")
        word = piece.replace("'", "")
        if not word:
            raise PatternError("empty word")
        return ("word", word)

    def expect(token: str) -> None:
        nonlocal position
        if position >= len(tokens) or tokens[position] != token:
            raise PatternError(f"expected {token!r}")
        position += 1

    nodes = sequence(())
    if position != len(tokens):
        raise PatternError("trailing tokens")
    return nodes


def _word_regex(word: str) -> str:
    # A doubled letter in the pattern also matches a single one: words in messages have runs of
    # three or more squeezed to one, so "killll" arrives as "kil".
    if len(word) < 4:  # "off" must not match "of", nor "too" "to"
        return re.escape(word)
    out: list[str] = []
    i = 0
    while i < len(word):
        char = word[i]
        if i + 1 < len(word) and word[i + 1] == char:
            out.append(f"{re.escape(char)}{{1,2}}")
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _regex(nodes: Sequence[Node]) -> str:
    parts: list[str] = []
    for node in nodes:
        kind = node[0]
        if kind == "word":
            parts.append(" " + _word_regex(node[1]))
        elif kind == "any":
            parts.append(" [a-z0-9]+")
        elif kind == "num":
            parts.append(f" (?:{_NUMBER_WORDS})")
        elif kind == "gap":
            parts.append("(?: [a-z0-9]+){0,3}")
        elif kind == "opt":
            parts.append(f"(?:{_regex(node[1])})?")
        elif kind == "not":
            parts.append(f"(?!{_regex(node[1])}(?= ))")
        else:
            parts.append("(?:" + "|".join(_regex(alt) for alt in node[1]) + ")")
    return "".join(parts)


def _anchor_cost(words: AbstractSet[str]) -> int:
    # Roughly "how often would this set let a clean message through the gate": common words
    # are expensive (longer ones a little less), short rare ones a little.
    return sum(
        100 - len(word) if word in _COMMON_WORDS else 5 if len(word) < 3 else 1 for word in words
    )


def _required_sets(nodes: Sequence[Node]) -> list[frozenset[str]]:
    """Word sets of which every match must contain at least one word, one per required element.

    A word is a set of one; an alternation is the union of each alternative's cheapest set;
    optional parts, wildcards and negations require nothing.
    """
    found: list[frozenset[str]] = []
    for node in nodes:
        if node[0] == "word":
            found.append(frozenset([node[1]]))
        elif node[0] == "alt":
            union: set[str] = set()
            for alternative in node[1]:
                options = _required_sets(alternative)
                if not options:
                    break
                union |= min(options, key=lambda words: (_anchor_cost(words), len(words)))
            else:
                found.append(frozenset(union))
    return sorted(set(found), key=lambda words: (_anchor_cost(words), len(words), sorted(words)))


def compile_pattern(
    text: str,
    *,
    category: str,
    source: str,
    action: str = "block",
    macros: dict[str, list[Node]] | None = None,
) -> Phrase:
    """Compile one pattern line (with an optional ``tag:`` prefix) into a ``Phrase``."""
    tag = ""
    match = _TAG.match(text)
    if match:
        tag, text = match.group(1), match.group(2)
    nodes = _parse(_tokenise(text.lower()), macros or {})
    if not nodes:
        raise PatternError(f"empty pattern: {text!r}")
    required = _required_sets(nodes)
    if not required:
        raise PatternError(f"pattern needs a distinctive required word: {text!r}")
    regex = re.compile(_regex(nodes) + "(?= )")
    return Phrase(category, tag, text, source, action, regex, tuple(required))


def load_macros(path: Path) -> dict[str, list[Node]]:
    """``name = pattern`` lines; a macro may use the macros defined above it."""
    macros: dict[str, list[Node]] = {}
    for line in read_data_lines(path):
        name, sep, body = line.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[a-z_]+", name):
            raise PatternError(f"{path.name}: bad macro line {line!r}")
        macros[name] = _parse(_tokenise(body.strip().lower()), macros)
    return macros


def load_phrase_file(
    path: Path, category: str, macros: dict[str, list[Node]], source: str
) -> list[Phrase]:
    """Every pattern of one phrase file; errors name the file and line."""
    phrases: list[Phrase] = []
    for line in read_data_lines(path):
        try:
            phrases.append(compile_pattern(line, category=category, source=source, macros=macros))
        except PatternError as error:
            raise PatternError(f"{path.name}: {error} in line {line!r}") from None
    return phrases


def builtin_phrases(data_dir: Path = DATA_DIR) -> list[Phrase]:
    """All phrase files under ``data/phrases`` (file name = category), macros expanded."""
    folder = data_dir / "phrases"
    macros = load_macros(folder / "macros.txt")
    phrases: list[Phrase] = []
    for path in sorted(folder.glob("*.txt")):
        if path.name == "macros.txt":
            continue
        category = path.stem
        phrases.extend(load_phrase_file(path, category, macros, f"pattern:{category}"))
    return phrases


class PhraseSet:
    """Patterns indexed by their anchor words, with a cheap "could any pattern match?" test.

    A pattern is only tried when its anchor set and its other required word sets (up to
    ``_CHECKED_SETS``) all meet the message's words: "are you alone" needs "are"/"r", "you"/"u"
    *and* "alone"/"own"/..., so the common words alone never make it run.

    ``find(words_text, word_set)`` returns ``(phrase, start, end)`` for each pattern that
    matches, with ``start``/``end`` character offsets into ``words_text`` (which is
    ``" " + " ".join(words) + " "``) covering the matched words.
    """

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.phrases = tuple(phrases)
        index: dict[str, list[tuple[Phrase, tuple[frozenset[str], ...]]]] = {}
        finding_gate: dict[bytes, set[tuple[frozenset[bytes], ...]]] = {}
        for phrase in self.phrases:
            others = tuple(
                frozenset(s for word in words for s in _singled_spellings(word))
                for words in phrase.required[1 : 1 + _CHECKED_SETS]
            )
            others_bytes = tuple(frozenset(w.encode() for w in words) for words in others)
            for anchor in phrase.anchors:
                for word in _singled_spellings(anchor):
                    index.setdefault(word, []).append((phrase, others))
                    if not phrase.signal_only:
                        finding_gate.setdefault(word.encode(), set()).add(others_bytes)
        self._index = {word: tuple(entries) for word, entries in index.items()}
        self.anchor_words = frozenset(index)
        # Per anchor: the words that could meet its patterns' first other sets (see
        # ``_first_sets``): an anchor whose set is disjoint from the message tries nothing.
        self._first = {word: _first_sets(o for _p, o in entries) for word, entries in index.items()}
        # Byte-string words that could start a *finding* (signal-only patterns matter only
        # when there is history), each with the other word sets the pattern also needs.
        self._finding_gate = {word: tuple(others) for word, others in finding_gate.items()}
        self._finding_words = frozenset(finding_gate)
        self._finding_first = {word: _first_sets(o) for word, o in self._finding_gate.items()}

    def may_find(self, word_set: set[bytes]) -> bool:
        """False only when no finding pattern can match a message with these (byte) words."""
        gate = self._finding_gate
        first = self._finding_first
        for word in self._finding_words.intersection(word_set):
            needs = first[word]
            if needs is None:
                return True
            if needs.isdisjoint(word_set):
                continue
            for others in gate[word]:
                for words in others:
                    if words.isdisjoint(word_set):
                        break
                else:
                    return True
        return False

    def find(self, words_text: str, word_set: set[str]) -> list[tuple[Phrase, int, int]]:
        found: list[tuple[Phrase, int, int]] = []
        present = self.anchor_words.intersection(word_set)
        if not present:
            return found
        candidates: dict[Phrase, None] = {}
        index = self._index
        first = self._first
        for word in present:
            needs = first[word]
            if needs is not None and needs.isdisjoint(word_set):
                continue  # every pattern of this anchor misses its first other word set
            for phrase, others in index[word]:
                for words in others:
                    if words.isdisjoint(word_set):
                        break
                else:
                    candidates[phrase] = None
        for phrase in candidates:
            match = phrase.regex.search(words_text)
            if match:
                found.append((phrase, match.start() + 1, match.end()))
        return found


def _first_sets(entries: Iterable[tuple[frozenset[_Word], ...]]) -> frozenset[_Word] | None:
    """Every word that could meet the first other word set of one of these patterns (given
    as their other sets), or None when one of them needs nothing besides its anchor."""
    others = list(entries)
    if any(not sets for sets in others):
        return None
    return frozenset().union(*(sets[0] for sets in others))


def _singled_spellings(word: str) -> set[str]:
    """The word and its spellings with doubled letters written once ("kill" -> "kil")."""
    if len(word) < 4:
        return {word}
    runs = [match.group() for match in re.finditer(r"(.)\1*", word)]
    options = [(run, run[0]) if len(run) == 2 else (run,) for run in runs]
    return {"".join(choice) for choice in itertools.product(*options)}
