"""Run a command with real PostgreSQL and Redis servers started for it, then stop them.

    python -m tests.services pytest -m scale

Each server gets a fresh data folder under a temporary directory and a free port on
127.0.0.1; DATABASE_URL and REDIS_URL point the command at them. PostgreSQL refuses to run as
root, so as root the cluster belongs to the ``postgres`` system user (created by Debian's
package).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing answered on 127.0.0.1:{port} within {timeout} s.")


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql).")
    return path


def _as_postgres_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def postgres_server(base: Path) -> Iterator[str]:
    data = base / "pgdata"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(data, "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres_user(
            [
                _postgres_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        _as_postgres_user(
            [
                _postgres_bin("postgres"),
                "-D", str(data),
                "-h", "127.0.0.1",
                "-p", str(port),
                "-k", str(base),
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        # The database the URL names (tests make their own test_ database beside it; a
        # benchmark or a manual run uses this one).
        subprocess.run(
            [_postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             "minimentors"],
            check=True,
        )  # fmt: skip
        yield f"postgres://postgres@127.0.0.1:{port}/minimentors"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def redis_server(base: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server).")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(base)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def real_services() -> Iterator[dict[str, str]]:
    """Start PostgreSQL and Redis; yield the environment variables that point at them."""
    with tempfile.TemporaryDirectory(prefix="minimentors-services-") as tmp:
        base = Path(tmp)
        os.chmod(base, 0o755)  # noqa: S103 (the postgres user must reach its data folder)
        pg_dir, redis_dir = base / "pg", base / "redis"
        pg_dir.mkdir()
        redis_dir.mkdir()
        with postgres_server(pg_dir) as database_url, redis_server(redis_dir) as redis_url:
            yield {"DATABASE_URL": database_url, "REDIS_URL": redis_url}


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tests.services COMMAND [ARGS...]", file=sys.stderr)
        return 2
    with real_services() as env:
        print(f"Real services: {env['DATABASE_URL']} and {env['REDIS_URL']}", flush=True)
        return subprocess.call(argv, env={**os.environ, **env})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
