"""The compiled matcher: one ``Engine`` holds every list and pattern, ready to review text.

How a message is read (``Engine.review``):

1. Empty or invisible-only text is allowed ("empty"). Text over ``MAX_LENGTH`` is blocked
   ("too_long"), but its first ``MAX_LENGTH`` characters are still read so that a cry for help
   in it is flagged, never hidden.
2. The text is normalised once (``normalise.py``).
3. The learned risk tier (``risk.py``) scores the gate words of every message (usually a
   one-line upper bound settles it: nothing to find); what it finds is combined with the
   rules' findings at the end (``risk_tier.py``).
   Fast path (no history, not a username): the *gate* (``gate.py``) tells from cheap byte
   tests which finders could find anything. Text that passes the gate cannot produce a
   finding and is allowed at once: this is where most chat ends. The gate also says whether
   any phrase pattern could match, so the full path can skip them.
4. Full path (``scan.py``): tokens (``tokens.py``) looked up in the lexicon, words spelled
   out or split, starred words, phrase patterns, contact details, links and floods.
5. With history (``conversation.py``), conversation-level harm is added.
6. The hits become a ``Verdict`` (``verdict.py``); match spans are mapped back to the original
   text through the normaliser's offset map.

An ``Engine`` is immutable after construction apart from small bounded caches, so one instance
can be shared by threads.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import conversation
from .allowed import allowed_phrases
from .gate import ALL_FINDERS, PHRASES, WORD_BYTES, Gate
from .lexicon import Lexicon, Term, builtin_terms, decode_variants
from .normalise import normalise
from .patterns import Phrase, PhraseSet, builtin_phrases, compile_pattern
from .risk import RiskFinding, RiskModel, words_of
from .risk_tier import load_vetoes, risk_hits
from .scan import CLEAN, ScanResult, scan_full
from .tokens import TOKEN
from .verdict import (
    CATEGORIES,
    CONTEXTS,
    INAPPROPRIATE,
    MAX_LENGTH,
    Match,
    Verdict,
    allowed,
    decide,
)

__all__ = ["Engine", "ScanResult", "WatchedEntry"]

WATCHED_ACTIONS = ("block", "flag", "allow")
# A block for only these may turn into an unsure cry for help (``Engine.review``): swearing
# (any cry for help, read without the swear words) or a contact detail (grooming only).
SWEARING = frozenset({"profanity"})
CONTACT_DETAILS = frozenset({"personal_info", "link"})


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
        self.gate = Gate(self.lexicon, self.phrases)
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
        words = lowered.translate(WORD_BYTES, b"'").split()
        word_set = set(words)
        findings = self.risk.assess(words, word_set) if self.risk is not None else ()
        needs = ALL_FINDERS
        if not window and context != "username":
            needs = self.gate.needs(folded, lowered, words, word_set)
            if not needs and not findings:
                if too_long:
                    return _too_long(decide(text, (), context, too_long=True))
                return allowed(text, "clean")
        found_phrases = None
        if needs == PHRASES:
            found_phrases = self._phrase_matches(words)
            if not found_phrases:
                needs = 0  # only a phrase pattern could match, and none does
        result = (
            scan_full(self.lexicon, self.phrases, body, folded, context, needs, found_phrases)
            if needs
            else CLEAN
        )
        hits = list(result.hits)
        if findings and self.risk is not None:
            hits.extend(
                risk_hits(findings, result.categories, words, len(body), self.vetoes, self.risk)
            )
        if window:
            hits.extend(conversation.conversation_hits(self, body, context, result, window))
        if not hits and not too_long:
            return allowed(text, "clean")
        verdict = decide(text, hits, context, too_long=too_long)
        if verdict.action == "block" and self.risk is not None:
            leaning = _leaning_of_block(self.risk, body, words, verdict)
            if leaning:
                hits.extend(
                    risk_hits(leaning, result.categories, words, len(body), self.vetoes, self.risk)
                )
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
            return CLEAN
        return self._scan(body, folded, context, signals=True)

    # --- scanning --------------------------------------------------------------------------
    def _scan(self, text: str, folded: str, context: str, *, signals: bool) -> ScanResult:
        if signals or context == "username":
            return self._scan_full(text, folded, context, ALL_FINDERS)
        needs = self.gate.needs(folded)
        return self._scan_full(text, folded, context, needs) if needs else CLEAN

    def _phrase_matches(self, words: list[bytes]) -> list[tuple[Phrase, int, int]]:
        """The phrase patterns that match the gate words (``PhraseSet.find``).

        Only for text whose gate left nothing but ``PHRASES`` to do: such text has no
        leetspeak, stretched letters or digits run into letters, so its gate words are the
        words the full scan would give the patterns (the same ``words_text``): a miss here is
        a miss there, and what matches here is what the full scan would find.
        """
        words_text = " " + b" ".join(words).decode() + " "
        return self.phrases.find(words_text, set(words_text[1:-1].split(" ")))

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
        """The finders that could find something in this text (``Gate.needs``)."""
        return self.gate.needs(folded, lowered, words, word_set)

    def _scan_full(
        self, text: str, folded: str, context: str, needs: int = ALL_FINDERS
    ) -> ScanResult:
        """The finders in ``needs`` (all by default) over the text, signals included."""
        return scan_full(self.lexicon, self.phrases, text, folded, context, needs)


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


def _watched_term(entry: WatchedEntry) -> Term:
    if entry.action not in WATCHED_ACTIONS:
        raise ValueError(f"watched entry {entry.id}: action must be one of {WATCHED_ACTIONS}")
    if entry.category not in CATEGORIES:
        raise ValueError(f"watched entry {entry.id}: unknown category {entry.category!r}")
    words = []
    for piece in TOKEN.findall(normalise(entry.term)):
        readings = decode_variants(piece.replace("'", "").strip("*!")) or [piece]
        words.append(readings[0])
    spelling = " ".join(word for word in words if word)
    if not spelling:
        raise ValueError(f"watched entry {entry.id}: no letters in {entry.term!r}")
    return Term(spelling, entry.category, entry.action, f"watched:{entry.id}")


def _without(body: str, matches: Sequence[Match]) -> list[bytes]:
    """The model's words of ``body`` with the matched spans blanked out."""
    kept = list(body)
    for match in matches:
        kept[match.start : match.end] = " " * (match.end - match.start)
    return words_of(normalise("".join(kept)))


def _leaning_of_block(
    model: RiskModel, body: str, words: list[bytes], verdict: Verdict
) -> tuple[RiskFinding, ...]:
    """The unsure findings that turn a block into a flag (none for most blocks).

    - Never block a cry for help for its swearing: one the model leans to, over its
      ``rescue`` bar (under its usual one), is flagged (severity 1; counsellors see it). The
      model reads the words around the swearing, never the swear words alone ("$hit" is the
      word "hit" to it): a bare swear word is only ever a block.
    - A groomer's "add me on snap, it's jay_k2291" is a contact detail to the rules. When the
      model leans to grooming over its ``contact`` bar (set in training so that about one in
      ten children swapping handles clear it), counsellors hear of it as unsure grooming; it
      stays hidden (grooming shows ``*inappropriate*``). Only grooming: a contact detail is
      never shown.
    """
    categories = set(verdict.categories)
    if categories <= SWEARING:
        return model.leaning(_without(body, verdict.matches))
    if categories <= CONTACT_DETAILS:
        return model.leaning(words, model.contact)
    return ()
