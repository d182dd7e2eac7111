"""Conversation-level harm: what no single message shows, but the recent history does.

``history`` is the recent messages of the same room or pair, oldest first. Only the last
``HISTORY_WINDOW`` items are read. Each item is either

- a plain string: taken to be one of the *author's own* earlier messages, or
- a ``(sender, text)`` tuple: the author's own when ``review(..., sender=...)`` is given and
  equal to ``sender``; everybody else's otherwise.

Checks (each adds a hit to the *current* message, so the message that completes the harm gets
the verdict; earlier messages were judged when they were sent):

- split words: the author's last ``SPLIT_PARTS`` short messages joined with the current one
  ("07700" / "900" / "123", "f" / "u" / "c" / "k", "i want to" / "kill myself"); a finding
  that starts in history and ends in the current message counts (source "history");
- repeated message: the same text as two of the author's recent messages -> spam;
- repeated bullying: the current message bullies and at least ``BULLYING_REPEATS`` messages of
  the window (this one included, any sender) do -> flag, severity 3, "repeated bullying";
- grooming pattern: the author's messages in the window, this one included, show at least
  ``GROOMING_STAGES`` distinct grooming stages (age, alone, secrecy, photo, meeting, gifts,
  flattery, ...; weak ones such as "how old are you" count here) and this one shows one
  -> flag, severity 3, "grooming pattern";
- growing distress: the author's sad messages ("i feel so alone", "nobody likes me") reach
  ``DISTRESS_MESSAGES`` with this one -> self_harm flag, severity 3, "growing distress".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .normalise import normalise
from .verdict import Hit, Match

if TYPE_CHECKING:
    from .engine import Engine, ScanResult

__all__ = ["Turn", "conversation_hits", "turns"]

HISTORY_WINDOW = 20
SPLIT_PARTS = 5
SHORT_MESSAGE = 40  # characters: longer messages are not fragments of a split word
TINY_FRAGMENT = 6  # fragments this short are also joined without spaces ("fu" + "ck")
SAME_MESSAGE_REPEATS = 2  # earlier copies that make the current one spam
BULLYING_REPEATS = 3
GROOMING_STAGES = 2
DISTRESS_MESSAGES = 3


@dataclass(frozen=True, slots=True)
class Turn:
    text: str
    own: bool


def turns(history: Sequence[object], sender: str | None) -> list[Turn]:
    """The readable items of the window as ``Turn``s (malformed items are skipped)."""
    result: list[Turn] = []
    try:
        items = list(history)[-HISTORY_WINDOW:]
    except TypeError:
        return result
    for item in items:
        if isinstance(item, str):
            result.append(Turn(item, True))
        elif isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[1], str):
            who = item[0]
            result.append(Turn(item[1], sender is not None and who == sender))
    return result


def _same_text_key(text: str) -> str:
    return " ".join(normalise(text).split())


def conversation_hits(
    engine: Engine, text: str, context: str, current: ScanResult, window: list[Turn]
) -> list[Hit]:
    """Hits that the history adds to ``text`` (see the module docstring)."""
    hits: list[Hit] = []
    whole = Match("", 0, len(text), "", "history")
    own = [turn.text for turn in window if turn.own]

    hits.extend(_split_hits(engine, text, context, current, own))

    key = _same_text_key(text)
    if key and sum(1 for earlier in own[-10:] if _same_text_key(earlier) == key) >= (
        SAME_MESSAGE_REPEATS
    ):
        hits.append(
            Hit(_with(whole, "spam", "same message repeated"), "spam (same message repeated)")
        )

    if current.bullying:
        count = 1 + sum(1 for turn in window if engine.signals(turn.text, context).bullying)
        if count >= BULLYING_REPEATS:
            hits.append(
                Hit(
                    _with(whole, "bullying", "repeated bullying"),
                    "repeated bullying",
                    action="flag",
                    severity=3,
                )
            )

    if current.stages:
        stages = set(current.stages)
        for earlier in own:
            stages |= engine.signals(earlier, context).stages
        if len(stages) >= GROOMING_STAGES:
            names = ", ".join(sorted(stages))
            hits.append(Hit(_with(whole, "grooming", names), f"grooming pattern ({names})"))

    if current.distress or "self_harm" in current.categories:
        count = 1 + sum(1 for earlier in own if engine.signals(earlier, context).distress)
        if count >= DISTRESS_MESSAGES:
            hits.append(Hit(_with(whole, "self_harm", "growing distress"), "growing distress"))
    return hits


def _with(match: Match, category: str, term: str) -> Match:
    return Match(category, match.start, match.end, term, match.source)


def _split_hits(
    engine: Engine, text: str, context: str, current: ScanResult, own: list[str]
) -> list[Hit]:
    """Findings that only appear when the author's last short messages are joined."""
    parts: list[str] = []
    for earlier in reversed(own):
        if len(parts) == SPLIT_PARTS or len(earlier.strip()) > SHORT_MESSAGE:
            break
        parts.insert(0, earlier.strip())
    if not parts:
        return []
    already = {(hit.category) for hit in current.hits}
    joins = [" "]
    if all(len(p) <= TINY_FRAGMENT and " " not in p for p in parts) and len(text) <= TINY_FRAGMENT:
        joins.append("")
    hits: list[Hit] = []
    seen: set[str] = set()
    for glue in joins:
        prefix = glue.join(parts) + glue
        joined = prefix + text
        boundary = len(prefix)
        for hit in engine.scan(joined, context).hits:
            match = hit.match
            # Only findings that begin in history and end in this message are new.
            if not (match.start < boundary < match.end) or match.category in seen:
                continue
            if match.category in already and match.category not in ("self_harm", "abuse"):
                continue
            seen.add(match.category)
            start = 0
            end = max(0, min(len(text), match.end - boundary))
            snippet = " ".join(joined[match.start : match.end].split())
            hits.append(
                Hit(
                    Match(match.category, start, end, match.term, "history"),
                    f'{match.category} "{snippet}" (across messages)',
                    action=hit.action,
                    severity=hit.severity,
                    placeholder=hit.placeholder,
                )
            )
    return hits
