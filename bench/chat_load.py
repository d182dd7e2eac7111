"""Chat load benchmark: N websocket clients in rooms of 20, each sending a message every 2 s.

    .venv/bin/python bench/chat_load.py [--clients 200] [--seconds 30]

Starts its own site (embedded default: SQLite and the in-memory channel layer, in a temporary
var/ folder), creates the members and their sessions directly, starts Daphne, then runs two
phases on the same server:

1. bare: a bare echo-and-broadcast consumer (/ws/bench/echo/<room>/, routed only by
   bench/echo_asgi.py, which this benchmark serves): no authorisation, moderation or storage;
2. chat: the real chat (/ws/rooms/<slug>/): rate limit, moderation, storage, broadcast.

Before them, a short bare round that is not counted (--warm-up) warms the new server, so
the bare figures are not those of a cold process. The clients read their sockets from the
moment they open, as browsers do.

Prints deliveries per second, send-to-receive latency p50/p95/p99, lost and duplicated
deliveries (each must be 0), and the chat's p99 as a ratio of the bare consumer's.
Target on 2 cores: chat p99 < 100 ms and < 3x the bare p99.

The scale-out set-up: with REDIS_URL (and DATABASE_URL) set, or passed as --redis-url and
--database-url, the site runs on them; --processes N starts N Daphne processes side by side
and spreads every room's members over all of them, so deliveries cross processes. With real
servers started for the run:

    .venv/bin/python -m tests.services .venv/bin/python bench/chat_load.py --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.services import free_port, wait_for_port  # noqa: E402  (one copy of the port helpers)

PASSWORD = "bench-pass-8271-kite"  # noqa: S105 (throwaway accounts in a temporary database)

SETUP_SCRIPT = """
import json, sys
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from chat.models import Membership, Room
from minimentors.models import AgeGroup, School, User
from minimentors.roles import Role, ensure_role_groups

clients, room_size = int(sys.argv[1]), int(sys.argv[2])
groups = ensure_role_groups()
school, _ = School.objects.get_or_create(name="Bench School", defaults={
    "area": "Bench", "lead_teacher_name": "Bench", "safeguarding_lead_name": "Bench"})
template = User(username="bench-template")
template.set_password(sys.argv[3])  # hash once, copy to every account
users = User.objects.bulk_create([
    User(username=f"bench{n}", password=template.password, school=school,
         age_group=AgeGroup.AGE_11_13) for n in range(clients)])
users = list(User.objects.filter(username__startswith="bench").exclude(
    username="bench-template").order_by("id"))
child_group = groups[Role.CHILD]
User.groups.through.objects.bulk_create([
    User.groups.through(user_id=u.pk, group_id=child_group.pk) for u in users])
rooms = []
for number in range((clients + room_size - 1) // room_size):
    room, _ = Room.objects.get_or_create(slug=f"bench-{number}",
        defaults={"kind": "general", "name": f"Bench {number}"})
    rooms.append(room)
out = []
for index, user in enumerate(users):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    out.append({"user": user.username, "session": session.session_key,
                "room": rooms[index // room_size].slug})
print(json.dumps(out))
"""


@dataclass
class Tally:
    sent_at: dict[str, float] = field(default_factory=dict)  # token -> send time
    room_of: dict[str, str] = field(default_factory=dict)  # token -> room
    received: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    latencies: list[float] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def run_phase(
    *,
    name: str,
    ports: list[int],
    accounts: list[dict],
    seconds: float,
    interval: float,
    bare: bool,
    connect_at_once: int,
    until: Callable[[], bool] | None = None,
) -> dict:
    tally = Tally()
    members: dict[str, list[int]] = defaultdict(list)
    for index, account in enumerate(accounts):
        members[account["room"]].append(index)
    stop_sending = asyncio.Event()
    opening = asyncio.Semaphore(connect_at_once)
    handshakes: list[float] = []

    async def open_socket(index: int, account: dict):
        path = f"/ws/bench/echo/{account['room']}/" if bare else f"/ws/rooms/{account['room']}/"
        port = ports[index % len(ports)]  # a room's members are spread over every process
        async with opening:
            began = time.perf_counter()
            ws = await connect(
                f"ws://127.0.0.1:{port}{path}",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={account['session']}"},
                open_timeout=60,
                max_queue=None,
            )
            handshakes.append(time.perf_counter() - began)
            return ws

    async def reader(index: int, ws) -> None:
        # Reads from the moment the socket opens, as a browser does: the presence frames of
        # everyone joining are read while the room fills, not at the start of the run.
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame.get("type") == "error":
                    tally.errors.append(frame)
                    continue
                if frame.get("type") != "message":
                    continue
                token = frame["text"].removeprefix("bench ")
                tally.received[(index, token)] += 1
                if token in tally.sent_at:
                    tally.latencies.append(now - tally.sent_at[token])

    async def sender(index: int, account: dict, ws) -> None:
        await asyncio.sleep(random.random() * interval)  # spread the senders
        sequence = 0
        while not stop_sending.is_set():
            token = f"{index}-{sequence}"
            sequence += 1
            tally.room_of[token] = account["room"]
            tally.sent_at[token] = time.perf_counter()
            frame = {"type": "message", "text": f"bench {token}", "client_id": token}
            await ws.send(json.dumps(frame))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_sending.wait(), interval)

    # Every socket is open before anyone sends: a handshake that fails ends the run loudly.
    opened = time.perf_counter()
    sockets = await asyncio.gather(*(open_socket(i, a) for i, a in enumerate(accounts)))
    connect_seconds = time.perf_counter() - opened
    readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]
    await asyncio.sleep(1.0)  # presence frames of the last joins settle
    senders = [
        asyncio.create_task(sender(i, a, ws))
        for i, (a, ws) in enumerate(zip(accounts, sockets, strict=True))
    ]
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    while until is not None and not until():  # e.g. bench/purge.py: until the purge is done
        await asyncio.sleep(0.1)
    stop_sending.set()
    sending_time = time.perf_counter() - started
    await asyncio.gather(*senders)
    await asyncio.sleep(3.0)  # drain what is in flight
    await asyncio.gather(*(ws.close() for ws in sockets))
    await asyncio.gather(*readers)

    expected = sum(len(members[tally.room_of[token]]) for token in tally.sent_at)
    delivered_once = 0
    duplicated = 0
    for token, room in tally.room_of.items():
        for index in members[room]:
            count = tally.received.get((index, token), 0)
            delivered_once += 1 if count else 0
            duplicated += max(0, count - 1)
    return {
        "phase": name,
        "sent": len(tally.sent_at),
        "deliveries_per_second": sum(tally.received.values()) / sending_time,
        "p50_ms": percentile(tally.latencies, 0.50) * 1000,
        "p95_ms": percentile(tally.latencies, 0.95) * 1000,
        "p99_ms": percentile(tally.latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(tally.latencies) * 1000 if tally.latencies else float("nan"),
        "lost": expected - delivered_once,
        "duplicated": duplicated,
        "errors": len(tally.errors),
        "connect_s": connect_seconds,
        "handshake_p99_ms": percentile(handshakes, 0.99) * 1000,
        "error_codes": sorted({e.get("code", "?") for e in tally.errors}),
    }


def start_site(
    args: argparse.Namespace, var_dir: Path
) -> tuple[list[subprocess.Popen], list, list[int]]:
    env = {
        **os.environ,
        "MINIMENTORS_ENV": "development",
        "DJANGO_DEBUG": "0",
        "MINIMENTORS_VAR_DIR": str(var_dir),
        "OPENING_HOURS": "00:00-24:00",
        "PYTHONUNBUFFERED": "1",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    if args.database_url:
        env["DATABASE_URL"] = args.database_url

    def manage(*command: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    manage("migrate", "--noinput", "-v", "0")
    print(f"Creating {args.clients} members and their sessions…", flush=True)
    accounts = json.loads(
        manage(
            "shell",
            "-c",
            f"import sys; sys.argv = ['x', {str(args.clients)!r}, {str(args.room_size)!r}, "
            f"{PASSWORD!r}]\n{SETUP_SCRIPT}",
        )
        .strip()
        .splitlines()[-1]
    )
    servers, ports = [], []
    for number in range(args.processes):
        port = args.port + number if args.port else free_port()
        log = open(var_dir / f"daphne-{number}.log", "w")  # noqa: SIM115
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "minimentors.serve", "-b", "127.0.0.1", "-p", str(port),
             "bench.echo_asgi:application"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        ))  # fmt: skip
        ports.append(port)
    for port in ports:
        wait_for_port(port)
    return servers, accounts, ports


def report(result: dict) -> None:
    print(
        f"{result['phase']:>5}: sent {result['sent']}, "
        f"{result['deliveries_per_second']:.0f} deliveries/s, "
        f"latency p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms; lost {result['lost']}, "
        f"duplicated {result['duplicated']}, errors {result['errors']} {result['error_codes']}; "
        f"all connected in {result['connect_s']:.1f} s "
        f"(handshake p99 {result['handshake_p99_ms']:.0f} ms)",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--room-size", type=int, default=20)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between messages")
    parser.add_argument(
        "--connect-at-once", type=int, default=20, help="handshakes in flight while connecting"
    )
    parser.add_argument(
        "--warm-up", type=float, default=3.0, help="seconds of unmeasured bare sending first"
    )
    parser.add_argument("--port", type=int, default=0, help="first port (default: free ones)")
    parser.add_argument(
        "--processes", type=int, default=1, help="Daphne processes side by side (needs Redis)"
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if args.processes > 1 and not args.redis_url:
        parser.error("several processes share rooms through Redis: pass --redis-url")
    setup = "embedded (SQLite, in-memory channel layer)"
    if args.redis_url:
        database = "PostgreSQL" if args.database_url else "SQLite"
        setup = f"{database} and Redis, {args.processes} Daphne process(es)"
    print(f"Set-up: {setup}; {os.cpu_count()} cores", flush=True)

    with tempfile.TemporaryDirectory(prefix="minimentors-bench-") as tmp:
        servers, accounts, ports = start_site(args, Path(tmp))
        try:

            def phase(name: str, bare: bool, seconds: float) -> dict:
                return asyncio.run(
                    run_phase(
                        name=name,
                        ports=ports,
                        accounts=accounts,
                        seconds=seconds,
                        interval=args.interval,
                        bare=bare,
                        connect_at_once=args.connect_at_once,
                    )
                )

            if args.warm_up > 0:
                # A fresh server's first frames are slow once (about 120 ms in the first 0.3 s
                # of a first bare phase, none in a second one): warm it before measuring.
                print(f"Warm-up (not counted): bare, {args.warm_up:.0f} s…", flush=True)
                phase("warm-up", True, args.warm_up)
            results = {}
            for name, bare in (("bare", True), ("chat", False)):
                print(
                    f"Phase {name}: {len(accounts)} clients for {args.seconds:.0f} s…", flush=True
                )
                results[name] = phase(name, bare, args.seconds)
                report(results[name])
        except BaseException:
            for log in sorted(Path(tmp).glob("daphne-*.log")):
                print(f"--- last lines of {log.name}:", *log.read_text().splitlines()[-15:],
                      sep="\n", file=sys.stderr)  # fmt: skip
            raise
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    ratio = results["chat"]["p99_ms"] / results["bare"]["p99_ms"]
    chat = results["chat"]
    print(f"chat p99 / bare p99 = {ratio:.2f}")
    ok = chat["p99_ms"] < 100 and ratio < 3 and chat["lost"] == 0 and chat["duplicated"] == 0
    print(
        "target (p99 < 100 ms, < 3x bare, nothing lost or duplicated):", "met" if ok else "NOT met"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
