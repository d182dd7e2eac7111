"""Run every process of the Procfile and keep them up: ``python -m minimentors.supervise``.

``make run`` uses this instead of a bare process manager so the site is never silently half
running: when a process stops on its own (Daphne killed, the worker out of memory), it is
said plainly and started again after a short wait, while the others keep serving. A process
that keeps failing (``GIVE_UP_AFTER`` starts within ``GIVE_UP_WINDOW`` seconds) stops the
whole set, with a message that says which one and where to look. Ctrl+C (or SIGTERM) stops
every process. Each line a process prints is prefixed with its name.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

RESTART_WAIT = 1.0
GIVE_UP_AFTER = 5
GIVE_UP_WINDOW = 60.0


def read_procfile(path: Path) -> dict[str, str]:
    """``name: command`` lines; blank lines and ``#`` comments are skipped."""
    processes: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        processes[name.strip()] = command.strip()
    return processes


_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def expand(command: str) -> str:
    """``${NAME}`` and ``${NAME:-default}`` from the environment, as a shell would."""
    return _VARIABLE.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), command)


def say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} supervise | {text}", flush=True)


@dataclass
class Managed:
    name: str
    command: str
    process: subprocess.Popen | None = None
    starts: deque[float] = field(default_factory=deque)

    def start(self) -> None:
        now = time.monotonic()
        self.starts.append(now)
        while self.starts and now - self.starts[0] > GIVE_UP_WINDOW:
            self.starts.popleft()
        self.process = subprocess.Popen(
            shlex.split(expand(self.command)),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # Ctrl+C reaches the supervisor, which stops each in turn
        )
        say(f"{self.name} started (pid {self.process.pid})")
        threading.Thread(target=self._echo, args=(self.process,), daemon=True).start()

    def _echo(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            print(f"{time.strftime('%H:%M:%S')} {self.name}.{process.pid} | {line}", end="")
        sys.stdout.flush()

    @property
    def failing(self) -> bool:
        return len(self.starts) >= GIVE_UP_AFTER

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def supervise(processes: dict[str, str]) -> int:
    managed = [Managed(name, command) for name, command in processes.items()]
    stopping = threading.Event()

    def stop_all(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    for each in managed:
        each.start()
    code = 0
    while not stopping.wait(0.2):
        for each in managed:
            assert each.process is not None
            exit_code = each.process.poll()
            if exit_code is None:
                continue
            if each.failing:
                say(
                    f"{each.name} stopped again (exit code {exit_code}); it failed "
                    f"{GIVE_UP_AFTER} times in {GIVE_UP_WINDOW:.0f} seconds, so everything is "
                    f"stopping. Read {each.name}'s lines above to see why."
                )
                code = 1
                stopping.set()
                break
            say(
                f"{each.name} stopped (exit code {exit_code}); the others keep serving. "
                f"Starting {each.name} again in {RESTART_WAIT:.0f} second."
            )
            time.sleep(RESTART_WAIT)
            each.start()
    say("Stopping every process…")
    for each in managed:
        each.stop()
    say("Stopped.")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--procfile", default="Procfile", type=Path)
    args = parser.parse_args()
    return supervise(read_procfile(args.procfile))


if __name__ == "__main__":
    sys.exit(main())
