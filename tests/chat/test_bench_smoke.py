"""bench/chat_load.py still runs end to end (tiny load; its figures are not judged here: speed
targets are read from real benchmark runs, never from tests)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.server


def test_the_chat_benchmark_runs_and_loses_nothing():
    finished = subprocess.run(
        [sys.executable, "bench/chat_load.py", "--clients", "6", "--room-size", "3",
         "--seconds", "2", "--interval", "0.5", "--warm-up", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    output = finished.stdout
    assert "Warm-up (not counted)" in output, finished.stderr[-2000:]
    for phase in ("bare", "chat"):
        line = next(line for line in output.splitlines() if line.strip().startswith(f"{phase}:"))
        sent = int(re.search(r"sent (\d+)", line).group(1))
        assert sent >= 6 * 3  # every client sent about 4 times in 2 s
        assert "lost 0, duplicated 0, errors 0" in line, line
    assert re.search(r"chat p99 / bare p99 = \d+\.\d\d", output)
