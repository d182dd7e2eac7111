"""``make run``'s supervisor: a process that stops is started again while the others keep
serving; one that keeps failing stops the whole set with a clear message; SIGTERM stops all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.services import free_port, wait_for_port

pytestmark = pytest.mark.server


def start_supervisor(tmp_path: Path, procfile: str) -> tuple[subprocess.Popen, Path]:
    (tmp_path / "Procfile").write_text(procfile)
    log_path = tmp_path / "supervise.log"
    log = open(log_path, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "minimentors.supervise", "-f", str(tmp_path / "Procfile")],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return process, log_path


def pids_of(log: Path, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"{name} started \(pid (\d+)\)", log.read_text())]


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_killed_process_comes_back_and_the_others_keep_running(tmp_path):
    port = free_port()
    python = sys.executable
    supervisor, log = start_supervisor(
        tmp_path,
        f"web: {python} -m http.server {port} --bind 127.0.0.1\n"
        f"worker: {python} -c 'import time; time.sleep(600)'\n",
    )
    try:
        wait_for_port(port)
        wait_until(lambda: pids_of(log, "worker"))
        [first_web], [worker] = pids_of(log, "web"), pids_of(log, "worker")
        os.kill(first_web, signal.SIGKILL)
        wait_until(lambda: len(pids_of(log, "web")) == 2)
        wait_for_port(port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
        assert pids_of(log, "worker") == [worker]  # never restarted
        os.kill(worker, 0)  # still running
        assert "web stopped (exit code -9); the others keep serving" in log.read_text()
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
    text = log.read_text()
    assert "Stopping every process" in text and "Stopped." in text
    with pytest.raises(ProcessLookupError):
        os.kill(pids_of(log, "worker")[0], 0)


def test_a_process_that_keeps_failing_stops_everything_and_says_which(tmp_path):
    python = sys.executable
    supervisor, log = start_supervisor(
        tmp_path,
        f"broken: {python} -c 'raise SystemExit(3)'\n"
        f"worker: {python} -c 'import time; time.sleep(600)'\n",
    )
    assert supervisor.wait(timeout=60) == 1
    text = log.read_text()
    assert "broken stopped again (exit code 3)" in text and "everything is stopping" in text
    with pytest.raises(ProcessLookupError):
        os.kill(pids_of(log, "worker")[0], 0)
