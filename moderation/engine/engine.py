"""The compiled matcher: one ``Engine`` holds every list and pattern, ready to review text.

How a message is read (``Engine.review``):

1. Empty or invisible-only text is allowed ("empty"). Text over ``MAX_LENGTH`` is blocked
   ("too_long"), but its first ``MAX_LENGTH`` characters are still read so that a cry for help
   in it is flagged, never hidden.
2. The text is normalised once (``normalise.py``).
3. The learned risk tier (``risk.py``) scores the gate words of every message (usually a
   one-line upper bound settles it: nothing to find); what it finds is combined with the
   rules' findings at the end (``risk_tier.py``).
   Fast path (no history, not a username): the normalised text, as bytes, is checked against
   a *gate*: every spelling of every lexicon word, and every phrase pattern whose required
   word sets all appear in the message (an "are you alone" pattern needs "are" *and* "you"
   *and* "alone"), plus cheap byte-level tests for anything that could hide a word (leetspeak
   symbols, digits next to letters or many digits, letters stretched three times, single
   letters in a row, punctuation inside a word, floods). Text that passes the gate cannot
   produce a finding and is allowed at once: this is where most chat ends. The gate also says
   whether any phrase pattern could match, so the full path can skip them.
4. Full path: the text is split into tokens; each token's leetspeak readings are looked up in
   the lexicon; single letters in a row ("f u c k", "f.u.c.k") and fragments of one word
   ("fu.ck") are joined and looked up; starred words ("f*ck") go through the wildcard index;
   phrase patterns run on the word list; contact details, links and floods are searched.
5. With history (``conversation.py``), conversation-level harm is added.
6. The hits become a ``Verdict`` (``verdict.py``); match spans are mapped back to the original
   text through the normaliser's offset map.

An ``Engine`` is immutable after construction apart from small bounded caches, so one instance
can be shared by threads.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import contact, conversation
from .allowed import allowed_phrases, excused_by
from .contact_pieces import PIECE_TRIGGERS, find_pieces
from .lexicon import Lexicon, Term, builtin_terms, decode_variants
from .normalise import normalise, offsets, span_to_original
from .patterns import (
    SIGNAL_CATEGORIES,
    WEAK_PREFIX,
    Phrase,
    PhraseSet,
    builtin_phrases,
    compile_pattern,
)
from .risk import RiskModel
from .risk_tier import load_vetoes, risk_hits
from .spam import SYMBOL_FLOOD, WORD_FLOOD, find_flood
from .verdict import (
    CATEGORIES,
    CONTEXTS,
    CRY_FOR_HELP,
    INAPPROPRIATE,
    MAX_LENGTH,
    Hit,
    Verdict,
    allowed,
    decide,
    make_match,
)

__all__ = ["Engine", "ScanResult", "WatchedEntry"]

WATCHED_ACTIONS = ("block", "flag", "allow")

_TOKEN = re.compile(r"[a-z0-9@$!|+*']+")
_NUMBERISH = re.compile(r"[0-9]+(?:st|nd|rd|th|am|pm|s|m|k|g|p|x|kg|km|cm|mm|ml|min|mins|[a-h])?")
_EDGE_LETTERS = re.compile(r"[0-9]*([a-z]{3,})[0-9]*")
_STRETCHED = re.compile(r"([a-z])\1\1+")
_SEPARATOR_GAP = re.compile(r"[\s._*,~/\\\-]{1,3}")
_INWORD_GAP = re.compile(r"[._*~\-]{1,3}")
_HAS_INWORD_GAP = re.compile(r"[a-z0-9@$!|+][._*~\-]{1,3}[a-z0-9@$!|+]")
_SIMPLE_TOKEN = re.compile(r"[a-z']+|[0-9]+")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_MAX_JOINED_LOOKUPS = 400  # single-letter runs: bound the work on hostile input
_MAX_JOINED_LETTERS = 12  # a word spelled out letter by letter is short
_MAX_HITS_PER_CATEGORY = 20  # findings kept per category: enough to judge and to show staff

# --- fast-path gate (bytes) -------------------------------------------------------------------
_WORD_BYTES = bytes(
    c if (97 <= c <= 122 or 48 <= c <= 57) else (c + 32 if 65 <= c <= 90 else 32)
    for c in range(256)
)
_ALNUM_TO_A = bytes(97 if (97 <= c <= 122 or 48 <= c <= 57) else c for c in range(256))


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
_SHAPE = _shape_table()
_STREET_WORDS = frozenset(word.encode() for word in contact.STREET_TYPES)
_TRIPLE = re.compile(rb"([^ ])\1\1")
# Shape bytes without which ``_not_simple`` is False (a cheap test before calling it).
_MAYBE_NOT_SIMPLE = frozenset(b"l*!0")
_PIECE_TRIGGERS = frozenset(word.encode() for word in PIECE_TRIGGERS)
_LONG_LETTERS = b"a" * 20

# Finders, as bits of the mask that the gate (``Engine._glance``) returns.
LEXICON = 1  # words, spelled-out and starred words
PHRASES = 2  # phrase patterns
CONTACTS = 4  # phone numbers, e-mails, postcodes, addresses, handles, links
FLOODS = 8  # one character, unit or word over and over
ALL_FINDERS = LEXICON | PHRASES | CONTACTS | FLOODS


@dataclass(frozen=True)
class WatchedEntry:
    """A staff-edited watched word or phrase (Django admin), merged into the lexicon.

    ``action`` "block" hides it like a builtin word of ``category``; "flag" alerts staff
    without hiding it; "allow" silences the builtin lists for that spelling (it cannot silence
    a cry for help, which comes from phrase patterns).
    """

    id: int | str
    term: str
    action: str
    category: str


@dataclass(frozen=True)
class ScanResult:
    """Findings for one text on its own (no history), plus signals for conversation checks."""

    hits: tuple[Hit, ...] = ()
    stages: frozenset[str] = frozenset()  # grooming stages seen, weak ones included
    distress: bool = False
    categories: frozenset[str] = field(default=frozenset())

    @property
    def bullying(self) -> bool:
        return "bullying" in self.categories


_CLEAN = ScanResult()

# A token: (start, end, core, readings, word). ``core`` is the token without edge punctuation
# and apostrophes; ``readings`` its letter-only leetspeak readings for the lexicon; ``word`` what
# phrase patterns see. A tuple, not a dataclass: it is built for every word of every message.
_Token = tuple[int, int, str, tuple[str, ...], str]


@functools.lru_cache(maxsize=1)
def _builtin() -> tuple[tuple[Term, ...], tuple[Phrase, ...]]:
    """Builtin terms and compiled phrase patterns, loaded once per process."""
    return tuple(builtin_terms()), tuple(builtin_phrases())


@functools.lru_cache(maxsize=1)
def _risk_model() -> RiskModel:
    """The learned risk tier, read (and its checksum checked) once per process."""
    return RiskModel.load()


@functools.lru_cache(maxsize=1)
def _vetoes() -> PhraseSet:
    return load_vetoes()


class Engine:
    """A compiled matcher over the builtin lists plus optional staff watched entries."""

    def __init__(self, watched: Iterable[WatchedEntry] = (), *, risk: bool = True) -> None:
        """Compile the builtin lists with ``watched`` merged in; ``risk=False`` leaves out the
        learned risk tier (the benchmark measures each tier; production always has it)."""
        terms, phrases = _builtin()
        all_terms = list(terms)
        for entry in watched:
            all_terms.append(_watched_term(entry))
        self.lexicon = Lexicon(all_terms)
        lexicon_phrases = [
            compile_pattern(
                term.term, category=term.category, source=term.source, action=term.action
            )
            for term in self.lexicon.phrases
        ]
        self.phrases = PhraseSet([*phrases, *lexicon_phrases, *allowed_phrases()])
        number_words = (set(contact.SPELLED_DIGIT_WORDS) - {"o", "one"}) | {
            "double",
            "triple",
            "treble",
        }
        self.lexicon_gate = self.lexicon.gate_words
        self.number_words = frozenset(word.encode() for word in number_words)
        self._signals: dict[tuple[str, str], ScanResult] = {}
        self.risk: RiskModel | None = _risk_model() if risk else None
        self.vetoes = _vetoes()

    # --- public ----------------------------------------------------------------------------
    def review(
        self,
        text: str,
        context: str = "general",
        history: Sequence[str] | Sequence[tuple[str, str]] = (),
        *,
        sender: str | None = None,
    ) -> Verdict:
        """Review one message. Never raises for a ``str``; see ``moderation.engine`` docs.

        ``history``: recent messages of the same room or pair, oldest first, as plain strings
        (taken to be the author's own messages) or ``(sender, text)`` tuples (the author's own
        when ``sender`` is given and equal). An unknown ``context`` is read as "general".
        """
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if context not in CONTEXTS:
            context = "general"
        too_long = len(text) > MAX_LENGTH
        body = text[:MAX_LENGTH] if too_long else text
        folded = normalise(body)
        if not folded.strip():
            if too_long:
                return _too_long(decide(text, (), context, too_long=True))
            return allowed(text, "empty")
        window = conversation.turns(history, sender) if history else []
        lowered = folded.encode("ascii", "replace")
        words = lowered.translate(_WORD_BYTES, b"'").split()
        word_set = set(words)
        findings = self.risk.assess(words, word_set) if self.risk is not None else ()
        needs = ALL_FINDERS
        if not window and context != "username":
            needs = self._glance(folded, lowered, words, word_set)
            if not needs and not findings:
                if too_long:
                    return _too_long(decide(text, (), context, too_long=True))
                return allowed(text, "clean")
        if needs == PHRASES and not self._phrases_match(words):
            needs = 0  # only a phrase pattern could match, and none does
        result = self._scan_full(body, folded, context, needs) if needs else _CLEAN
        hits = list(result.hits)
        if findings:
            hits.extend(risk_hits(findings, result.categories, words, len(body), self.vetoes))
        if window:
            hits.extend(conversation.conversation_hits(self, body, context, result, window))
        if not hits and not too_long:
            return allowed(text, "clean")
        verdict = decide(text, hits, context, too_long=too_long)
        if too_long and not verdict.is_cry_for_help:
            return _too_long(verdict)
        return verdict

    def signals(self, text: str, context: str = "general") -> ScanResult:
        """The scan of one earlier message on its own (memoised: history repeats a lot)."""
        key = (text, context)
        cached = self._signals.get(key)
        if cached is not None:
            return cached
        result = self.scan(text, context)
        if len(self._signals) > 4096:
            self._signals.clear()
        self._signals[key] = result
        return result

    def scan(self, text: str, context: str = "general") -> ScanResult:
        """Scan text on its own (no history, no length rule), signals included."""
        body = text[:MAX_LENGTH]
        folded = normalise(body)
        if not folded.strip():
            return _CLEAN
        return self._scan(body, folded, context, signals=True)

    # --- scanning --------------------------------------------------------------------------
    def _scan(self, text: str, folded: str, context: str, *, signals: bool) -> ScanResult:
        if signals or context == "username":
            return self._scan_full(text, folded, context, ALL_FINDERS)
        needs = self._glance(folded)
        return self._scan_full(text, folded, context, needs) if needs else _CLEAN

    def _phrases_match(self, words: list[bytes]) -> bool:
        """Whether any phrase pattern matches the gate words.

        Only for text whose gate left nothing but ``PHRASES`` to do: such text has no
        leetspeak, stretched letters or digits run into letters, so its gate words are the
        words the full scan would give the patterns, and a miss here is a miss there.
        """
        texts = [word.decode() for word in words]
        return bool(self.phrases.find(" " + " ".join(texts) + " ", set(texts)))

    def _clean_at_a_glance(self, folded: str) -> bool:
        """True only when no finder could match: see step 3 of the module docstring."""
        return not self._glance(folded)

    def _glance(
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
        tripled = _TRIPLE.search(lowered) is not None
        if words is None:
            words = lowered.translate(_WORD_BYTES, b"'").split()
        if not words:
            return FLOODS if tripled else 0
        if word_set is None:
            word_set = set(words)
        shape = lowered.translate(_SHAPE)
        # Everything but letters, spaces and apostrophes: usually nothing, which spares the
        # substring tests below (each costs about as much as a whole translate).
        rest = shape.translate(None, b"a '")
        needs = 0
        if tripled:
            # Stretched letters ("fuuuck", "diiie"): words are read differently; or a flood.
            needs = LEXICON | PHRASES | FLOODS
        if rest and _MAYBE_NOT_SIMPLE.intersection(rest) and _not_simple(shape):
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
            not needs & CONTACTS
            and not _PIECE_TRIGGERS.isdisjoint(word_set)
            and (b":" in lowered or b"=" in lowered or _has_single_letter_run(words))
        ):
            needs |= CONTACTS  # "sc: amy_1", "add me j e s s 1 2 on snap": a handle in pieces
        if rest:
            if b"0" in rest and (
                # Digits matter as phone numbers (many digits) or house numbers (a street word).
                rest.count(b"0") >= 7 or not _STREET_WORDS.isdisjoint(word_set)
            ):
                needs |= CONTACTS
            if b"l" in rest:
                needs |= CONTACTS  # "@": e-mail or handle
            if b"." in rest and (b".a" in shape or b"a.0" in shape):
                needs |= LEXICON | CONTACTS  # "f.u.c.k", "bit.ly"
            if b"!" in rest and b"a!0" in shape:
                needs |= LEXICON
            if b"/" in rest and b"://" in lowered:
                needs |= CONTACTS  # a URL
            if len(rest) >= 15:
                needs |= FLOODS  # punctuation flood ("!?!?!?...")
        if not needs & LEXICON and b" a a a " in (b" " + b" ".join(words) + b" ").translate(
            _ALNUM_TO_A
        ):
            needs |= LEXICON  # single letters in a row ("f u c k")
        if len(words) >= WORD_FLOOD and len(word_set) * 2 <= len(words):
            needs |= FLOODS
        if _LONG_LETTERS in shape:
            needs |= FLOODS  # a long run of letters may be a unit flood ("hahaha...")
        return needs

    def _scan_full(
        self, text: str, folded: str, context: str, needs: int = ALL_FINDERS
    ) -> ScanResult:
        """The finders in ``needs`` (all by default) over the text, signals included."""
        lowered = folded.encode("ascii", "replace")  # one byte per character
        shape = lowered.translate(_SHAPE)
        tripled = _TRIPLE.search(lowered) is not None
        stretched = tripled and _STRETCHED.search(folded) is not None
        tokens: list[_Token] | None
        raws: list[str] = []
        texts: list[str] = []
        if not _not_simple(shape):
            # Only plain words (apostrophes and "!" as punctuation at most): the same tokens as
            # ``_tokenise`` finds, for a fraction of the cost. Positions are worked out later,
            # and only if something matched.
            tokens = None
            raws, texts = _simple_words(folded)
        if raws:
            words = [_squeeze(word) for word in raws] if stretched else raws
            has_singles = min(map(len, raws)) == 1
        else:
            tokens, has_singles = _tokenise(folded, stretched)
            words = [token[4] for token in tokens]
        word_set = set(words)
        words_text = " " + " ".join(words) + " "

        def positioned() -> list[_Token]:
            nonlocal tokens
            if tokens is None:
                tokens = [
                    (start, end, core, () if core.isdigit() else (core,), word)
                    for (start, end, core), word in zip(_simple_spans(folded), words, strict=True)
                ]
            return tokens

        starts: list[int] = []

        def span(index: int) -> tuple[int, int]:
            """Folded-text span of token ``index``, found only as far as needed."""
            if tokens is not None:
                token = tokens[index]
                return token[0], token[1]
            if "'" not in folded:
                # A plain token is a maximal run of letters or of digits: find the right
                # occurrence of it as a whole token (in C, rather than walking every token).
                word = raws[index]
                occurrence = raws[:index].count(word)
                for number, match in enumerate(_whole_token(word).finditer(folded)):
                    if number == occurrence:
                        return match.span()
            # Plain tokens are maximal runs of letters (and apostrophes) or digits: each one is
            # the first occurrence of its text after the end of the one before.
            position = starts[-1] + len(texts[len(starts) - 1]) if starts else 0
            while len(starts) <= index:
                position = folded.find(texts[len(starts)], position)
                starts.append(position)
                position += len(texts[len(starts) - 1])
            return starts[index], starts[index] + len(texts[index])

        # (category, start, end, term, source, action, severity, kind) in folded coordinates,
        # or original ones when kind == "original".
        raw: list[tuple[str, int, int, str, str, str | None, int | None, str]] = []

        lexicon = self.lexicon
        lookup = lexicon.lookup

        def add_term(term: Term, start: int, end: int) -> None:
            if term.action == "allow":
                return
            kind = "watched-flag" if term.action == "flag" else ""
            action = "flag" if term.action == "flag" else None
            raw.append((term.category, start, end, term.term, term.source, action, None, kind))

        if needs & LEXICON:
            if tokens is None and not stretched:
                # Plain, unstretched words can only spell a term the way the lexicon lists it.
                candidates = lexicon.spellings.intersection(raws)
                for index, core in enumerate(raws) if candidates else ():
                    if core in candidates:
                        term = lookup(core)
                        if term is not None:
                            add_term(term, *span(index))
            else:
                for start, end, core, readings, _word in positioned():
                    for reading in readings:
                        term = lookup(reading)
                        if term is not None:
                            add_term(term, start, end)
                            break
                    else:
                        if "*" in core:
                            term = lexicon.lookup_star(core)
                            if term is not None:
                                add_term(term, start, end)
            inword = b"." in shape or b"*" in shape
            inword = inword and _HAS_INWORD_GAP.search(folded) is not None
            singles = has_singles and b" a a a " in words_text.encode("ascii", "replace").translate(
                _ALNUM_TO_A
            )
            if inword or singles:
                for start, end, joined in _joined_fragments(
                    folded, positioned(), has_singles, inword
                ):
                    for reading in decode_variants(joined):
                        term = lookup(reading)
                        if term is not None:
                            add_term(term, start, end)
                            break
        if context == "username":
            for start, end, piece in _username_pieces(text):
                term = lookup(piece)
                if term is not None and term.action != "allow":
                    raw.append(
                        (term.category, start, end, term.term, term.source, None, None, "original")
                    )

        stages: set[str] = set()
        distress = False
        found_phrases = self.phrases.find(words_text, word_set) if needs & PHRASES else ()
        excused: list[tuple[int, int, str]] = []  # spans of "allowed" wholes, folded
        for phrase, first_char, last_char in found_phrases:
            if phrase.action == "allow":
                if phrase.source.startswith("allowed:"):
                    first = words_text.count(" ", 0, first_char) - 1
                    last = words_text.count(" ", 0, last_char)
                    excused.append((span(first)[0], span(last - 1)[1], phrase.category))
                continue
            if phrase.category in SIGNAL_CATEGORIES:
                distress = True
                continue
            if phrase.category == "grooming":
                stages.add(phrase.tag.removeprefix(WEAK_PREFIX) or "other")
                if phrase.signal_only:
                    continue
            first = words_text.count(" ", 0, first_char) - 1
            last = words_text.count(" ", 0, last_char)
            start, end = span(first)[0], span(last - 1)[1]
            action: str | None = None
            severity: int | None = None
            kind = ""
            if phrase.action == "flag":  # a staff watched phrase: alert, do not hide
                action, kind = "flag", "watched-flag"
            elif phrase.category == "bullying" and phrase.tag == "severe":
                action, severity = "flag", 3
            term_text = words_text[first_char:last_char]
            raw.append(
                (phrase.category, start, end, term_text, phrase.source, action, severity, kind)
            )

        if excused:
            raw = [item for item in raw if item[7] == "original" or not excused_by(item, excused)]
        contacts = (
            contact.find_contacts(folded, words, word_set, words_text, b"0" in shape)
            + find_pieces(folded, word_set)
            if needs & CONTACTS
            else ()
        )
        for found in contacts:
            if found.words:
                start, end = span(found.start)[0], span(found.end - 1)[1]
            else:
                start, end = found.start, found.end
            raw.append((found.category, start, end, found.term, found.source, None, None, ""))
        flood = find_flood(folded, words, word_set, tripled) if needs & FLOODS else None
        if flood is not None:
            raw.append(("spam", flood.start, flood.end, flood.term, "spam:flood", None, None, ""))

        if len(raw) > _MAX_HITS_PER_CATEGORY:
            # Bounded work on hostile input ("fuck " x 400), without ever dropping the only
            # finding of another category (a cry for help after 400 swear words).
            kept: dict[str, int] = {}
            trimmed = []
            for item in raw:
                count = kept.get(item[0], 0)
                if count < _MAX_HITS_PER_CATEGORY:
                    kept[item[0]] = count + 1
                    trimmed.append(item)
            raw = trimmed
        if not raw:
            if stages or distress:
                return ScanResult((), frozenset(stages), distress, frozenset())
            return _CLEAN
        offset_map = offsets(text)
        hits: list[Hit] = []
        for category, start, end, term_text, source, action, severity, kind in raw:
            if kind == "original":
                original_start, original_end = start, end
            else:
                original_start, original_end = span_to_original(offset_map, start, end)
            snippet = text[original_start:original_end]
            match = make_match(category, original_start, original_end, term_text, source)
            placeholder: str | None | bool = None if kind == "watched-flag" else False
            hits.append(
                Hit(match, _label(category, snippet, source), action, severity, placeholder)
            )
        categories = frozenset(hit.category for hit in hits)
        return ScanResult(tuple(hits), frozenset(stages), distress, categories)


def _too_long(verdict: Verdict) -> Verdict:
    """A too-long message is shown as *inappropriate* (unless it is a cry for help)."""
    return Verdict(
        "flag" if verdict.action == "flag" else "block",
        verdict.categories,
        max(1, verdict.severity),
        INAPPROPRIATE,
        verdict.matches,
        verdict.reason,
    )


_WHERE = {
    "builtin": "builtin",
    "better-profanity": "better-profanity",
    "spam": "flood",
    "history": "across messages",
}


def _label(category: str, snippet: str, source: str) -> str:
    """The reason fragment for staff: 'profanity "f u c k" (builtin)'."""
    kind, _, detail = source.partition(":")
    if kind == "pattern":
        where = detail.replace("_", " ")
    elif kind == "watched":
        where = source
    else:
        where = _WHERE.get(kind, kind)
    # Kept short: staff open the message itself for the full text.
    limit = 60 if category in CRY_FOR_HELP or category in ("grooming", "personal_info") else 40
    if len(snippet) > limit:
        snippet = snippet[: limit - 3] + "..."
    snippet = " ".join(snippet.split())
    return f'{category} "{snippet}" ({where})'


def _watched_term(entry: WatchedEntry) -> Term:
    if entry.action not in WATCHED_ACTIONS:
        raise ValueError(f"watched entry {entry.id}: action must be one of {WATCHED_ACTIONS}")
    if entry.category not in CATEGORIES:
        raise ValueError(f"watched entry {entry.id}: unknown category {entry.category!r}")
    words = []
    for piece in _TOKEN.findall(normalise(entry.term)):
        readings = decode_variants(piece.replace("'", "").strip("*!")) or [piece]
        words.append(readings[0])
    spelling = " ".join(word for word in words if word)
    if not spelling:
        raise ValueError(f"watched entry {entry.id}: no letters in {entry.term!r}")
    return Term(spelling, entry.category, entry.action, f"watched:{entry.id}")


def _squeeze(word: str) -> str:
    """Letters stretched three times or more written once ("dieeee" -> "die")."""
    return _STRETCHED.sub(r"\1", word)


def _tokenise(folded: str, stretched: bool) -> tuple[list[_Token], bool]:
    """Tokens of the folded text, and whether any is a single character.

    ``stretched``: the text has a letter three times in a row somewhere, so words must be
    checked for squeezing.
    """
    tokens: list[_Token] = []
    has_singles = False
    for match in _TOKEN.finditer(folded):
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
        elif stretched and len(word) > 2 and _STRETCHED.search(word):
            word = _squeeze(word)
        tokens.append((start, end, core, readings, word))
    return tokens, has_singles


def _has_single_letter_run(words: list[bytes]) -> bool:
    """Three or more one-character words in a row ("j e s s")."""
    return b" a a a " in (b" " + b" ".join(words) + b" ").translate(_ALNUM_TO_A)


def _not_simple(shape: bytes) -> bool:
    """True when a token can be more than a plain word or number: leetspeak symbols, stars,
    a "!" inside a word ("sh!t"), or digits and letters run together ("sh1t", "3pm").
    Without these, tokens are runs of letters and apostrophes, or of digits."""
    if b"l" in shape or b"*" in shape:
        return True
    if b"!" in shape and (b"!a" in shape or b"!0" in shape or b"!'" in shape):
        return True
    return b"0" in shape and (b"a0" in shape or b"0a" in shape or b"'0" in shape or b"0'" in shape)


@functools.lru_cache(maxsize=4096)
def _whole_token(word: str) -> re.Pattern[str]:
    """A regex for ``word`` standing alone as a plain token (letters, or digits)."""
    edge = "0-9" if word.isdigit() else "a-z"
    return re.compile(rf"(?<![{edge}]){re.escape(word)}(?![{edge}])")


def _simple_words(folded: str) -> tuple[list[str], list[str]]:
    """Words of a text with no leetspeak characters (see ``_not_simple``), and each word's
    text as it stands in ``folded`` (apostrophes inside kept, at the edges dropped)."""
    if "'" not in folded:
        words = _SIMPLE_TOKEN.findall(folded)
        return words, words
    words = []
    texts: list[str] = []
    for raw in _SIMPLE_TOKEN.findall(folded):
        if "'" in raw:
            raw = raw.strip("'")
            if not raw:
                continue
        texts.append(raw)
        words.append(raw.replace("'", "") if "'" in raw else raw)
    return words, texts


def _simple_spans(folded: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` for the words ``_simple_words`` returns, in the same order."""
    if "'" not in folded:
        return [(m.start(), m.end(), m.group()) for m in _SIMPLE_TOKEN.finditer(folded)]
    spans: list[tuple[int, int, str]] = []
    for match in _SIMPLE_TOKEN.finditer(folded):
        raw = match.group()
        start, end = match.span()
        if "'" in raw:
            stripped = raw.strip("'")
            if not stripped:
                continue
            start += len(raw) - len(raw.lstrip("'"))
            end = start + len(stripped)
            raw = stripped.replace("'", "")
        spans.append((start, end, raw))
    return spans


def _joined_fragments(
    folded: str, tokens: list[_Token], has_singles: bool, inword: bool = True
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
    index = 0
    while inword and index < count:
        group = [tokens[index]]
        while index + len(group) < count:
            following = tokens[index + len(group)]
            if not _INWORD_GAP.fullmatch(folded[group[-1][1] : following[0]]):
                break
            group.append(following)
        if len(group) >= 2 and not all(len(token[2]) == 1 for token in group):
            found.append((group[0][0], group[-1][1], "".join(token[2] for token in group)))
        index += len(group)
    return found


def _username_pieces(text: str) -> list[tuple[int, int, str]]:
    """Words inside a username: camelCase parts and letter runs ("BigFatCunt99")."""
    pieces: list[tuple[int, int, str]] = []
    for match in _CAMEL.finditer(text):
        word = match.group().lower()
        if len(word) >= 3:
            pieces.append((match.start(), match.end(), word))
    return pieces
