"""MiniMentors moderation engine: text in, ``Verdict`` out. Typed Python, no Django.

Public API (the contract used by chat, blogs, usernames and ``manage.py moderate``)::

    review(text, context="general", history=(), *, sender=None) -> Verdict
    Engine(watched=()).review(text, context="general", history=(), *, sender=None) -> Verdict
    get_engine() -> Engine                 # the module default, built lazily once
    set_watched_entries(entries) -> None   # rebuild the default with staff watched words
    Match, Verdict, WatchedEntry           # frozen dataclasses
    CATEGORIES, CONTEXTS, MAX_LENGTH

Contracts:
- ``review`` never raises for a ``str`` and is fast (microseconds for ordinary chat, a few
  milliseconds at most for hostile input such as 100 KB of one character).
- ``Verdict.action`` is "allow", "block" or "flag"; ``shown`` is the original text,
  ``*blocked*`` or ``*inappropriate*``; a cry for help (self_harm, abuse) is always "flag" with
  ``shown`` equal to the original, and its severity says how sure the engine is (3 sure, 1
  unsure: the learned risk tier's "maybe"). Full rules: ``verdict.py``.
- Two tiers: the lexicon (word lists, phrase patterns, contact details: ``engine.py``, with
  its fast-path gate ``gate.py`` and full scan ``scan.py``) and a
  learned risk tier (``risk.py``) for self_harm, abuse, grooming and bullying. A rule's finding
  always stands; a veto rule (``data/vetoes/``) silences a model finding.
- ``history``: recent messages of the same room or pair, oldest first; plain strings are the
  author's own, ``(sender, text)`` tuples are the author's own when ``sender=`` is given and
  equal. Rules: ``conversation.py``.
- Compiled: the hot modules run as C compiled by mypyc from these same sources, and the
  first look at each message as hand-written C (``_glance.c``), when ``make install`` has
  built them and the build matches the sources (``native.py``); otherwise as plain Python,
  with the same verdicts. ``BUILD`` says which.
- Data files (word lists, phrase patterns) live in ``moderation/data/`` and are read once per
  process; staff watched words are merged in by ``set_watched_entries``, which builds a new
  engine and swaps it in atomically (reviews in flight finish on the old one).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from . import native

# Before any compiled module is imported: the build, when it matches, goes first on __path__.
BUILD = native.activate(__path__)

from .engine import Engine, WatchedEntry  # noqa: E402
from .verdict import CATEGORIES, CONTEXTS, MAX_LENGTH, Match, Verdict  # noqa: E402

__all__ = [
    "BUILD",
    "CATEGORIES",
    "CONTEXTS",
    "MAX_LENGTH",
    "Engine",
    "Match",
    "Verdict",
    "WatchedEntry",
    "get_engine",
    "review",
    "set_watched_entries",
]

_lock = threading.Lock()
_default: Engine | None = None


def get_engine() -> Engine:
    """The module's default engine, built on first use (thread-safe, built once)."""
    engine = _default
    if engine is None:
        with _lock:
            engine = _default
            if engine is None:
                engine = _set_default(Engine())
    return engine


def _set_default(engine: Engine) -> Engine:
    global _default
    _default = engine
    return engine


def set_watched_entries(entries: Iterable[WatchedEntry]) -> None:
    """Rebuild the default engine with staff watched entries merged in.

    The new engine is built outside the lock's critical path for readers: ``get_engine``
    keeps returning the old engine until the single assignment that swaps it. Raises
    ``ValueError`` for an entry with an unknown action or category (the old engine stays).
    """
    engine = Engine(list(entries))
    with _lock:
        _set_default(engine)


def review(
    text: str,
    context: str = "general",
    history: Sequence[str] | Sequence[tuple[str, str]] = (),
    *,
    sender: str | None = None,
) -> Verdict:
    """Review one message with the default engine (see ``Engine.review``)."""
    return get_engine().review(text, context, history, sender=sender)
