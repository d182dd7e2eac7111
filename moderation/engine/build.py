"""``python -m moderation.engine.build [--force]``: compile the engine with mypyc, unless the
build already matches the sources (``native.py`` says how the build is found and checked)."""

from __future__ import annotations

import sys

from .native import build

if __name__ == "__main__":
    print(build(force="--force" in sys.argv[1:]))
