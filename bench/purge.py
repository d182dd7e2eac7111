"""Benchmark the retention job on SQLite while children chat.

    .venv/bin/python bench/purge.py [--expired N] [--fresh N] [--clients N]

Starts its own site (embedded default) in a temporary folder, stores ``--expired`` chat
messages written seven years ago and ``--fresh`` written today, then measures chat (the real
``/ws/rooms/`` sockets of ``bench/chat_load.py``: send-to-receive latency) twice on the same
server: idle, and while ``manage.py purge_expired`` deletes the expired messages in another
process. Prints rows deleted per second and chat's p99 during the purge against idle.

Target: chat p99 during the purge under 2x idle; every expired row deleted, every fresh row
kept. Exits non-zero when it is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.chat_load import report, run_phase, start_site  # noqa: E402

FILL_SCRIPT = """
import sys
from datetime import timedelta
from django.utils import timezone
from chat.models import Message, Room
from minimentors.models import User

expired, fresh = int(sys.argv[1]), int(sys.argv[2])
# A room of their own, so the chat's moderation history is the clients' own messages.
room, _ = Room.objects.get_or_create(slug="purge-data", defaults={"kind": "general",
                                                                  "name": "Purge data"})
author = User.objects.get(username="bench0")
long_ago = timezone.now() - timedelta(days=7 * 365)

def store(count, text):
    for start in range(0, count, 5000):
        Message.objects.bulk_create([
            Message(room=room, author=author, author_role="child", original_text=text,
                    shown_text=text, action="allow", client_id="")
            for _ in range(min(5000, count - start))])

store(expired, "expired words")
Message.objects.filter(shown_text="expired words").update(sent_at=long_ago)
store(fresh, "fresh words")
print(Message.objects.filter(shown_text="expired words").count(),
      Message.objects.filter(shown_text="fresh words").count())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expired", type=int, default=200_000)
    parser.add_argument("--fresh", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=40, help="in each phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="the idle phase")
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    # Each phase has its own members and rooms: the moderation history of a room (the phone
    # number split over messages rule) would otherwise see the last phase's numbered messages.
    site_args = argparse.Namespace(clients=2 * args.clients, room_size=20, processes=1, port=0,
                                   redis_url="", database_url="")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="minimentors-purge-") as tmp:
        servers, accounts, ports = start_site(site_args, Path(tmp))
        env = dict(__import__("os").environ, MINIMENTORS_ENV="development", DJANGO_DEBUG="0",
                   MINIMENTORS_VAR_DIR=tmp, OPENING_HOURS="00:00-24:00")  # fmt: skip
        try:
            print(f"Storing {args.expired} expired and {args.fresh} fresh messages…", flush=True)
            filled = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c",
                 f"import sys; sys.argv = ['x', '{args.expired}', '{args.fresh}']\n{FILL_SCRIPT}"],
                cwd=REPO, env=env, check=True, capture_output=True, text=True,
            ).stdout.split()  # fmt: skip
            print(f"Stored: {filled[-2]} expired, {filled[-1]} fresh", flush=True)

            def phase(name: str, until=None) -> dict:
                half = accounts[: args.clients] if name == "idle" else accounts[args.clients :]
                return asyncio.run(run_phase(
                    name=name, ports=ports, accounts=half, seconds=args.seconds,
                    interval=args.interval, bare=False, connect_at_once=20, until=until,
                ))  # fmt: skip

            idle = phase("idle")
            report(idle)
            done = threading.Event()
            timing: dict[str, float] = {}

            def purge() -> None:
                time.sleep(1.0)  # the clients are sending by then
                began = time.perf_counter()
                subprocess.run([sys.executable, "manage.py", "purge_expired", "--json"],
                               cwd=REPO, env=env, check=True, capture_output=True)  # fmt: skip
                timing["seconds"] = time.perf_counter() - began
                done.set()

            worker = threading.Thread(target=purge)
            worker.start()
            during = phase("purge", until=done.is_set)
            worker.join()
            report(during)
            left = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c",
                 "from chat.models import Message; "
                 "print(Message.objects.filter(shown_text='fresh words').count())"],
                cwd=REPO, env=env, check=True, capture_output=True, text=True,
            ).stdout.split()[-1]  # fmt: skip
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    rate = args.expired / timing["seconds"]
    ratio = during["p99_ms"] / idle["p99_ms"]
    print(f"purge: {args.expired} rows in {timing['seconds']:.1f} s = {rate:,.0f} rows/s "
          f"(including the process's start)")  # fmt: skip
    print(f"chat p99 during the purge / idle = {during['p99_ms']:.1f} / {idle['p99_ms']:.1f} ms "
          f"= {ratio:.2f}x; fresh rows left: {left} of {args.fresh}")  # fmt: skip
    ok = ratio < 2 and int(left) == args.fresh and during["lost"] == 0
    print("target (p99 under 2x idle, fresh rows kept, nothing lost):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
