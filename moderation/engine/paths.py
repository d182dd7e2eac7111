"""Where the engine's files live. A plain module, never compiled: a module that mypyc compiles
(``native.py``) has no ``__file__`` to find its data by."""

from __future__ import annotations

from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
DATA_DIR = ENGINE_DIR.parent / "data"
