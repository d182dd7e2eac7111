"""What the layer above (safeguarding) tells counselling: the status of a child's case, for
the chronology. Registered in safeguarding's AppConfig.ready(); a system check proves it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CaseStatusReader = Callable[[Any], str | None]
_case_status: CaseStatusReader | None = None


def register_case_status(reader: CaseStatusReader) -> None:
    global _case_status
    _case_status = reader


def case_status_registered() -> bool:
    return _case_status is not None


def case_status(child: Any) -> str | None:
    """The status of ``child``'s open safeguarding case in plain words, or None."""
    if _case_status is None:
        return None
    return _case_status(child)
