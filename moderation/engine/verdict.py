"""The verdict: what a message's hits mean for members and staff.

Rules (ARCHITECTURE.md "Moderation verdict", plus the choices documented here):

============== ======== ======== =================== ==========================================
category       action   severity shown               why
============== ======== ======== =================== ==========================================
self_harm      flag     1-3      original            a cry for help is never hidden from staff
abuse          flag     1-3      original            or from the mentor/counsellor; the chat
                                                     layer decides who else sees it
grooming       flag     1-3      ``*inappropriate*`` staff must know; other children must not
                                                     see it (in every context)
hate, sexual   flag     2        ``*blocked*``       hidden, and staff see who is doing it
bullying       flag     1-2      ``*blocked*``       aimed at a member: hidden, staff told;
                                                     "severe" bullying ("kill yourself",
                                                     "kys") and repeated bullying: flag, 3
profanity      block    1        ``*blocked*``
personal_info, block    1        ``*inappropriate*`` site rules: contact details, links, spam
link, spam
============== ======== ======== =================== ==========================================

Severity says how sure the engine is. A rule (a phrase pattern, a conversation check) is sure:
3 for a cry for help or grooming. The learned risk tier (``risk.py``) sets its own: 1 when it is
unsure (counsellors' list, low priority), 3 when it is sure (2 for bullying). An unsure cry for
help is still a ``flag`` with its category and the original text shown: never allowed, never
blocked, never hidden from a mentor or counsellor. Swearing in a cry for help does not change
that (the cry for help decides ``shown``).

Combining several hits: the action is the strongest (flag > block > allow), the severity the
highest, and ``shown`` is the original whenever there is a cry for help; otherwise
``*blocked*`` beats ``*inappropriate*``. Staff watched words use their own action: a watched
``flag`` alerts staff without hiding the text (unless another hit hides it), a watched
``block`` hides it with its category's placeholder.

In the ``username`` context nothing can go through flagged: every flag becomes a block, except a
cry for help, which stays a flag.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "BLOCKED",
    "CATEGORIES",
    "CONTEXTS",
    "CRY_FOR_HELP",
    "INAPPROPRIATE",
    "MAX_LENGTH",
    "Hit",
    "Match",
    "Verdict",
    "allowed",
    "decide",
    "make_match",
]

CATEGORIES = (
    "profanity",
    "sexual",
    "hate",
    "personal_info",
    "link",
    "bullying",
    "self_harm",
    "abuse",
    "grooming",
    "spam",
)
CONTEXTS = ("general", "bubble", "message", "blog", "username")
MAX_LENGTH = 2000  # characters

BLOCKED = "*blocked*"
INAPPROPRIATE = "*inappropriate*"
CRY_FOR_HELP = frozenset({"self_harm", "abuse"})

_ORDER = {category: index for index, category in enumerate(CATEGORIES)}
_ACTION_RANK = {"allow": 0, "block": 1, "flag": 2}
# (start, end, category, term, source) of a match's fields: a total order, so that verdicts
# never depend on the order of a set (which changes with each process's hash seed).
_POSITION = operator.itemgetter(1, 2, 0, 3, 4)

# category -> (action, severity, placeholder or None for "show the original")
RULES: dict[str, tuple[str, int, str | None]] = {
    "self_harm": ("flag", 3, None),
    "abuse": ("flag", 3, None),
    "grooming": ("flag", 3, INAPPROPRIATE),
    "hate": ("flag", 2, BLOCKED),
    "sexual": ("flag", 2, BLOCKED),
    "bullying": ("flag", 2, BLOCKED),
    "profanity": ("block", 1, BLOCKED),
    "personal_info": ("block", 1, INAPPROPRIATE),
    "link": ("block", 1, INAPPROPRIATE),
    "spam": ("block", 1, INAPPROPRIATE),
}


@dataclass(frozen=True)
class Match:
    """One reason for a verdict. ``start``/``end`` index the ORIGINAL text (end exclusive).

    ``term`` is the canonical term or the matched words; ``source`` is where the rule came from:
    "builtin:profanity", "better-profanity", "watched:<id>", "pattern:self_harm",
    "pattern:uk_phone", "history", "spam:flood", ...
    """

    category: str
    start: int
    end: int
    term: str
    source: str


@dataclass(frozen=True)
class Verdict:
    """What to do with a message. ``categories`` are sorted in ``CATEGORIES`` order."""

    action: str
    categories: tuple[str, ...]
    severity: int
    shown: str
    matches: tuple[Match, ...]
    reason: str

    def as_dict(self) -> dict[str, object]:
        """Exactly the fields ``manage.py moderate`` prints."""
        return {
            "action": self.action,
            "categories": list(self.categories),
            "severity": self.severity,
            "shown": self.shown,
        }

    @property
    def is_cry_for_help(self) -> bool:
        return bool(CRY_FOR_HELP.intersection(self.categories))


class Hit(NamedTuple):
    """A finding before it becomes a verdict (internal; a tuple because one is built for every
    finding of every message).

    ``action``/``severity``/``placeholder`` override the category's rule when not None (watched
    words, severe bullying, conversation patterns); ``label`` is the reason fragment for staff.
    """

    match: Match
    label: str
    action: str | None = None
    severity: int | None = None
    placeholder: str | None | bool = False  # False: use the category's rule

    @property
    def category(self) -> str:
        return self.match.category


def make_match(category: str, start: int, end: int, term: str, source: str) -> Match:
    """A ``Match``, built without the frozen-dataclass ``__init__`` (see ``allowed``)."""
    match = object.__new__(Match)
    match.__dict__.update(category=category, start=start, end=end, term=term, source=source)
    return match


def allowed(text: str, reason: str) -> Verdict:
    """An "allow" verdict, built without the frozen-dataclass ``__init__``.

    Most messages end here, and a frozen dataclass sets each field through
    ``object.__setattr__``; filling ``__dict__`` at once is several times cheaper and gives an
    identical, equally immutable object.
    """
    verdict = object.__new__(Verdict)
    verdict.__dict__.update(
        action="allow", categories=(), severity=0, shown=text, matches=(), reason=reason
    )
    return verdict


def decide(text: str, hits: Iterable[Hit], context: str, *, too_long: bool = False) -> Verdict:
    """Combine hits into a verdict for ``text`` (see the module docstring for the rules)."""
    hits = list(hits)
    if not hits and not too_long:
        return Verdict("allow", (), 0, text, (), "clean")
    action = "block" if too_long else "allow"
    severity = 1 if too_long else 0
    placeholders: set[str] = {INAPPROPRIATE} if too_long else set()
    cry_for_help = False
    for hit in hits:
        rule_action, rule_severity, rule_placeholder = RULES[hit.category]
        hit_action = hit.action or rule_action
        hit_severity = hit.severity if hit.severity is not None else rule_severity
        placeholder = rule_placeholder if hit.placeholder is False else hit.placeholder
        if hit.category in CRY_FOR_HELP:
            cry_for_help = True
            hit_action = "flag"
            hit_severity = 3 if hit.severity is None else hit.severity
        if _ACTION_RANK[hit_action] > _ACTION_RANK[action]:
            action = hit_action
        severity = max(severity, hit_severity)
        if placeholder:
            placeholders.add(str(placeholder))
    if context == "username" and action == "flag" and not cry_for_help:
        action = "block"
        placeholders.add(INAPPROPRIATE)
    if cry_for_help or action == "allow":
        shown = text
    elif BLOCKED in placeholders:
        shown = BLOCKED
    elif INAPPROPRIATE in placeholders or action == "block":
        shown = INAPPROPRIATE
    else:
        shown = text  # a watched "flag": staff are told, members still see it
    if len(hits) == 1:
        # One hit: nothing to merge or rank (what the general case below gives for one).
        only = hits[0]
        categories: tuple[str, ...] = (only.match.category,)
        matches: tuple[Match, ...] = (only.match,)
        reason = f"too_long; {only.label}" if too_long else only.label
    else:
        categories = tuple(sorted({hit.category for hit in hits}, key=_ORDER.__getitem__))
        matches = _merged(hits)
        reason = _reason(hits, too_long)
    if action == "allow":
        # Only watched "allow" words could get here with hits, and they never produce hits.
        severity = 0
    verdict = object.__new__(Verdict)  # as in ``allowed``: the same object, built cheaper
    verdict.__dict__.update(
        action=action,
        categories=categories,
        severity=severity,
        shown=shown,
        matches=matches,
        reason=reason,
    )
    return verdict


def _merged(hits: list[Hit]) -> tuple[Match, ...]:
    """The distinct matches of ``hits`` by position (start, end, category, term, source).

    Worked out on each match's fields as a tuple (a ``Match`` compares as exactly that tuple,
    a frozen dataclass), without a Python-level ``__hash__``/``__eq__`` call per match.
    """
    by_fields: dict[tuple[str, int, int, str, str], Match] = {}
    for hit in hits:
        match = hit.match
        by_fields[match.category, match.start, match.end, match.term, match.source] = match
    return tuple(by_fields[fields] for fields in sorted(by_fields, key=_POSITION))


def _reason(hits: list[Hit], too_long: bool) -> str:
    """Short text for staff: the most serious findings first, at most three (then by
    position and label: the same text whatever order the finders gave them in)."""
    ranked = sorted(
        hits,
        key=lambda hit: (
            -(3 if hit.category in CRY_FOR_HELP else (hit.severity or RULES[hit.category][1])),
            _ORDER[hit.category],
            hit.match.start,
            hit.match.end,
            hit.label,
        ),
    )
    parts: list[str] = []
    for hit in ranked:
        if hit.label not in parts:
            parts.append(hit.label)
        if len(parts) == 3:
            break
    if too_long:
        parts.insert(0, "too_long")
    return "; ".join(parts)
