"""Harmless wholes around a listed word: "spotted dick", "Dick Whittington", "great tit".

``data/allowed/<category>.txt`` holds phrase patterns (the phrase-file syntax); a word-list
finding of that category that lies inside a match of one of them is dropped. The wholes are
narrow on purpose: "dick whittington is a dick" is still swearing (the second word is outside
the whole).
"""

from __future__ import annotations

import functools
from typing import Any

from .lexicon import read_data_lines
from .paths import DATA_DIR
from .patterns import Phrase, compile_pattern, load_macros

__all__ = ["allowed_phrases", "excused_by"]


@functools.lru_cache(maxsize=1)
def allowed_phrases() -> tuple[Phrase, ...]:
    """Harmless wholes around a listed word ("spotted dick"): ``data/allowed/<category>.txt``."""
    macros = load_macros(DATA_DIR / "phrases" / "macros.txt")
    found: list[Phrase] = []
    for path in sorted((DATA_DIR / "allowed").glob("*.txt")):
        for line in read_data_lines(path):
            found.append(
                compile_pattern(
                    line,
                    category=path.stem,
                    source=f"allowed:{path.stem}",
                    action="allow",
                    macros=macros,
                )
            )
    return tuple(found)


def excused_by(item: tuple[Any, ...], excused: list[tuple[int, int, str]]) -> bool:
    """A word-list finding inside a harmless whole of its category ("spotted dick")."""
    category, start, end = item[0], item[1], item[2]
    return any(
        category == whole and first <= start and end <= last for first, last, whole in excused
    )
