# The C module built from _glance.c (moderation/engine/native.py builds it with the engine).
from collections.abc import Collection

def facts(lowered: bytes, words: list[bytes], /) -> int: ...
def gate_total(
    words: list[bytes],
    distinct: Collection[bytes],
    weights: dict[bytes, float],
    pairs: dict[tuple[bytes, bytes], float],
    low_bar: float,
    /,
) -> float | None: ...
