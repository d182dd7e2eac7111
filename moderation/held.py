"""Content held back for a moderator (a flagged blog post or comment) and a blocked member's
content: moderation decides, the layer above (chat) owns the content and registers how to
publish, refuse and hide it. A system check proves the handlers are registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Decide = Callable[..., None]
HideAll = Callable[..., int]
_deciders: dict[str, Decide] = {}
_hiders: list[HideAll] = []


def register_held(kind: str, decide: Decide) -> None:
    """``decide(object_id, approve=, actor=)`` for subjects ``"<kind>:<id>"``."""
    _deciders[kind] = decide


def register_hider(hide: HideAll) -> None:
    """``hide(member=, actor=)`` hides everything a member wrote; returns how many."""
    _hiders.append(hide)


def registered() -> bool:
    return bool(_deciders) and bool(_hiders)


def decide(subject: str, *, approve: bool, actor: Any) -> None:
    kind, _, object_id = subject.partition(":")
    if kind not in _deciders or not object_id.isdigit():
        raise LookupError(f"Nothing can decide {subject!r}.")
    _deciders[kind](int(object_id), approve=approve, actor=actor)


def hide_everything_by(*, member: Any, actor: Any) -> int:
    return sum(hide(member=member, actor=actor) for hide in _hiders)
