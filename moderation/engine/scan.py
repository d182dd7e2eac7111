"""The full scan: every finder the gate (``gate.py``) asks for, over one message on its own.

Step 4 of ``Engine.review``: the text is split into tokens (``tokens.py``); each token's
leetspeak readings are looked up in the lexicon; single letters in a row ("f u c k",
"f.u.c.k") and fragments of one word ("fu.ck") are joined and looked up; starred words
("f*ck") go through the wildcard index; phrase patterns run on the word list; contact details,
links and floods are searched. Spans are worked out only for what matched, and mapped back to
the original text through the normaliser's offset map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import contact
from .allowed import excused_by
from .contact_pieces import find_pieces
from .gate import ALL_FINDERS, ALNUM_TO_A, CONTACTS, FLOODS, LEXICON, PHRASES, SHAPE, has_triple
from .lexicon import Lexicon, Term, decode_variants
from .normalise import is_plain, offsets, span_to_original
from .patterns import SIGNAL_CATEGORIES, WEAK_PREFIX, Phrase, PhraseSet
from .spam import find_flood
from .tokens import (
    INWORD_GAP_IN_SHAPE,
    STRETCHED,
    Token,
    joined_fragments,
    not_simple,
    simple_spans,
    simple_texts,
    simple_words,
    squeeze,
    tokenise,
    username_pieces,
    word_range,
)
from .verdict import CRY_FOR_HELP, Hit, make_match

__all__ = ["CLEAN", "ScanResult", "scan_full"]

_MAX_HITS_PER_CATEGORY = 20  # findings kept per category: enough to judge and to show staff


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


CLEAN = ScanResult()


def scan_full(
    lexicon: Lexicon,
    phrases: PhraseSet,
    text: str,
    folded: str,
    context: str,
    needs: int = ALL_FINDERS,
    found_phrases: list[tuple[Phrase, int, int]] | None = None,
) -> ScanResult:
    """The finders in ``needs`` (all by default) over ``text`` (at most ``MAX_LENGTH``
    characters) and its normalised form ``folded``, signals included. ``found_phrases``:
    what ``phrases.find`` answers for this text's words, when the caller has it already."""
    lowered = folded.encode("ascii", "replace")  # one byte per character
    shape = lowered.translate(SHAPE)
    tripled = has_triple(lowered)
    stretched = tripled and STRETCHED.search(folded) is not None
    tokens: list[Token] | None
    raws: list[str] = []
    texts: list[str] = []  # each plain word as it stands in ``folded``, once a span is needed
    if not not_simple(shape):
        # Only plain words (apostrophes and "!" as punctuation at most): the same tokens as
        # ``tokenise`` finds, for a fraction of the cost. Positions are worked out later,
        # and only if something matched.
        tokens = None
        raws = simple_words(folded, lowered)
    if raws:
        words = [squeeze(word) for word in raws] if stretched else raws
        has_singles = min(map(len, raws)) == 1
    else:
        tokens, has_singles = tokenise(folded, stretched)
        words = [token[4] for token in tokens]
    word_set = set(words)
    words_text = " " + " ".join(words) + " "

    def positioned() -> list[Token]:
        nonlocal tokens
        if tokens is None:
            tokens = [
                (start, end, core, () if core.isdigit() else (core,), word)
                for (start, end, core), word in zip(simple_spans(folded), words, strict=True)
            ]
        return tokens

    starts: list[int] = []

    def span(index: int) -> tuple[int, int]:
        """Folded-text span of token ``index``, found only as far as needed."""
        if tokens is not None:
            token = tokens[index]
            return token[0], token[1]
        # Plain tokens are maximal runs of letters (and apostrophes) or digits: each one is
        # the first occurrence of its text after the end of the one before. Positions found
        # are kept, so the spans of all a message's findings cost one walk at most.
        if not texts:
            # Without apostrophes each word is its own text (see ``simple_words``).
            texts.extend(simple_texts(folded) if "'" in folded else raws)
        done = len(starts)
        if done <= index:
            position = starts[-1] + len(texts[done - 1]) if done else 0
            find = folded.find
            for word_text in texts[done : index + 1]:
                position = find(word_text, position)
                starts.append(position)
                position += len(word_text)
        return starts[index], starts[index] + len(texts[index])

    # (category, start, end, term, source, action, severity, kind) in folded coordinates,
    # or original ones when kind == "original".
    raw: list[tuple[str, int, int, str, str, str | None, int | None, str]] = []

    lookup = lexicon.lookup

    def add_term(term: Term, start: int, end: int) -> None:
        if term.action == "allow":
            return
        kind = "watched-flag" if term.action == "flag" else ""
        action = "flag" if term.action == "flag" else None
        raw.append((term.category, start, end, term.term, term.source, action, None, kind))

    if needs & LEXICON:
        if tokens is None and not stretched:
            # Plain, unstretched words can only spell a term the way the lexicon lists it
            # (plain words are ASCII letters and digits, as the lexicon's spellings are).
            encoded = [core.encode("ascii", "replace") for core in raws]
            candidates = lexicon.gate_words.intersection(encoded)
            found_at = (
                [i for i, core in enumerate(encoded) if core in candidates] if candidates else ()
            )
            for index in found_at:
                term = lookup(raws[index])
                if term is not None:
                    add_term(term, *span(index))
        elif tokens is None:
            # Plain words, some stretched ("fuuuck"): each word is its own only reading (a
            # number has none, and a plain word has no star), so the tokens' positions are
            # only needed for what matched.
            for index, core in enumerate(raws):
                if not core.isdigit():
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
        inword = inword and INWORD_GAP_IN_SHAPE.search(shape) is not None
        singles = has_singles and b" a a a " in words_text.encode("ascii", "replace").translate(
            ALNUM_TO_A
        )
        if inword or singles:
            for start, end, joined in joined_fragments(folded, positioned(), has_singles, inword):
                for reading in decode_variants(joined):
                    term = lookup(reading)
                    if term is not None:
                        add_term(term, start, end)
                        break
    if context == "username":
        for start, end, piece in username_pieces(text):
            term = lookup(piece)
            if term is not None and term.action != "allow":
                raw.append(
                    (term.category, start, end, term.term, term.source, None, None, "original")
                )

    stages: set[str] = set()
    distress = False
    if found_phrases is None:
        found_phrases = phrases.find(words_text, word_set) if needs & PHRASES else []
    excused: list[tuple[int, int, str]] = []  # spans of "allowed" wholes, folded
    for phrase, first_char, last_char in found_phrases:
        if phrase.action == "allow":
            if phrase.source.startswith("allowed:"):
                first, last = word_range(words_text, first_char, last_char)
                excused.append((span(first)[0], span(last - 1)[1], phrase.category))
            continue
        if phrase.category in SIGNAL_CATEGORIES:
            distress = True
            continue
        if phrase.category == "grooming":
            stages.add(phrase.tag.removeprefix(WEAK_PREFIX) or "other")
            if phrase.signal_only:
                continue
        first, last = word_range(words_text, first_char, last_char)
        start, end = span(first)[0], span(last - 1)[1]
        action: str | None = None
        severity: int | None = None
        kind = ""
        if phrase.action == "flag":  # a staff watched phrase: alert, do not hide
            action, kind = "flag", "watched-flag"
        elif phrase.category == "bullying" and phrase.tag == "severe":
            action, severity = "flag", 3
        term_text = words_text[first_char:last_char]
        raw.append((phrase.category, start, end, term_text, phrase.source, action, severity, kind))

    if excused:
        raw = [item for item in raw if item[7] == "original" or not excused_by(item, excused)]
    contacts = (
        contact.find_contacts(folded, words, word_set, words_text, b"0" in shape, shape)
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
        return CLEAN
    # Plain text folds one character to one at the same index (``offsets`` would be the
    # identity map), so a span inside it is its own original span: no map is built for it.
    plain_length = len(text) if is_plain(text) else -1
    offset_map: list[int] | None = None
    hits: list[Hit] = []
    for category, start, end, term_text, source, action, severity, kind in raw:
        if kind == "original" or 0 <= start < end <= plain_length:
            original_start, original_end = start, end
        else:
            if offset_map is None:
                offset_map = offsets(text)
            original_start, original_end = span_to_original(offset_map, start, end)
        snippet = text[original_start:original_end]
        match = make_match(category, original_start, original_end, term_text, source)
        placeholder: str | None | bool = None if kind == "watched-flag" else False
        hits.append(Hit(match, _label(category, snippet, source), action, severity, placeholder))
    categories = frozenset(hit.category for hit in hits)
    return ScanResult(tuple(hits), frozenset(stages), distress, categories)


_WHERE = {
    "builtin": "builtin",
    "better-profanity": "better-profanity",
    "spam": "flood",
    "history": "across messages",
}


def _label(category: str, snippet: str, source: str) -> str:
    """The reason fragment for staff: 'profanity "f u c k" (builtin)'."""
    key = (category, source)
    parts = _LABEL_PARTS.get(key)
    if parts is None:
        parts = _label_parts(category, source)
        if len(_LABEL_PARTS) < _LABEL_PARTS_LIMIT:
            _LABEL_PARTS[key] = parts
    head, tail, limit = parts
    # Kept short: staff open the message itself for the full text.
    if len(snippet) > limit:
        snippet = snippet[: limit - 3] + "..."
    return head + " ".join(snippet.split()) + tail


# (category, source) -> what a label puts before and after the snippet, and the snippet's
# longest length: the same few pairs come back in every message.
_LABEL_PARTS: dict[tuple[str, str], tuple[str, str, int]] = {}
_LABEL_PARTS_LIMIT = 4096  # watched entries make sources open-ended: bound the memory


def _label_parts(category: str, source: str) -> tuple[str, str, int]:
    kind, _, detail = source.partition(":")
    if kind == "pattern":
        where = detail.replace("_", " ")
    elif kind == "watched":
        where = source
    else:
        where = _WHERE.get(kind, kind)
    limit = 60 if category in CRY_FOR_HELP or category in ("grooming", "personal_info") else 40
    return f'{category} "', f'" ({where})', limit
