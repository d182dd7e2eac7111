"""A websocket client that never reads does not grow the server's memory.

A real Daphne (started as ``make run`` starts it: ``python -m minimentors.serve``) on the
embedded default. Two children are in the general room: one reads everything, the other
connects with a tiny receive buffer and never reads again. Another process (a shell, as the
worker or beat would) sends 21 MB of room frames through the event outbox. Without a send
budget Twisted keeps whatever the kernel cannot take in memory, so the server grows by about
the size of everything sent; with it the silent client is dropped once 1 MB waits for it.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
from pathlib import Path

import pytest

from tests.chat.live import Browser
from tests.conftest import DEMO_PASSWORD, start_live_site

FRAMES = 210
FRAME_BYTES = 100_000  # 210 x 100 KB = 21 MB through the room, 300 KB at a time
EACH_TIME = 3


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def silent_websocket(port: int, path: str, session: str) -> socket.socket:
    """Open a websocket by hand with a small receive buffer, read the handshake, then stop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://127.0.0.1:{port}\r\nCookie: sessionid={session}\r\n\r\n"
        ).encode()
    )
    sock.settimeout(10)
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)  # one byte at a time: nothing after the handshake is read
    assert answer.startswith(b"HTTP/1.1 101"), answer[:80]
    return sock


def send_room_frames(site, count: int, size: int) -> None:
    """From another process, as the worker would: ``EACH_TIME`` frames every quarter second
    (what a reading client drains at once; the budget is for what waits)."""
    site.manage(
        "shell", "-c",
        "import time\n"
        "from chat.models import Room\n"
        "from minimentors.events import group_name, outbox_write\n"
        "room = Room.objects.get(slug='general')\n"
        f"for n in range({count}):\n"
        f"    if n and n % {EACH_TIME} == 0: time.sleep(0.25)\n"
        f"    outbox_write(groups=[group_name('room', room.pk)], event={{'type': 'frame.relay', "
        f"'text': '{{\"type\": \"notice\", \"n\": %d, \"pad\": \"%s\"}}' % (n, 'x' * {size})}})\n",
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = start_live_site(tmp_path_factory.mktemp("slow-reader"))
    yield site
    site.stop()


def test_a_client_that_never_reads_is_dropped_and_the_server_does_not_grow(site):
    reader = Browser(site.url).log_in("demo-child", DEMO_PASSWORD)
    silent = Browser(site.url).log_in("demo-child2", DEMO_PASSWORD)
    received: list[int] = []

    async def read_everything(ready: asyncio.Event) -> None:
        async with reader.websocket("/ws/rooms/general/") as ws:
            ready.set()
            while len(received) < FRAMES:
                frame = await asyncio.wait_for(ws.recv(), timeout=60)
                if '"type": "notice"' in frame:
                    received.append(1)

    async def scenario() -> socket.socket:
        ready = asyncio.Event()
        reading = asyncio.create_task(read_everything(ready))
        await ready.wait()
        sock = silent_websocket(site.port, "/ws/rooms/general/", silent.cookie("sessionid"))
        await asyncio.sleep(1.0)  # both joined; the server settles
        before = rss_bytes(site.process.pid)
        await asyncio.to_thread(send_room_frames, site, FRAMES, FRAME_BYTES)
        await reading
        await asyncio.sleep(1.0)
        grown = rss_bytes(site.process.pid) - before
        scenario.grown = grown  # type: ignore[attr-defined]
        return sock

    sock = asyncio.run(scenario())
    grown = scenario.grown  # type: ignore[attr-defined]

    # The reading child got every frame: only the silent one is dropped.
    assert len(received) == FRAMES
    # 21 MB went through the room; the server kept at most the budget for the silent client.
    assert grown < 8 * 1024 * 1024, f"Daphne grew by {grown / 1e6:.1f} MB"
    log = (site.var_dir / f"daphne-{site.port}.log").read_text()
    assert "websocket dropped: the client stopped reading" in log
    assert "x" * 50 not in log  # the log names the path, never the content

    # When the silent client reads at last, it finds what the kernel held and then the end.
    sock.settimeout(10)
    total = 0
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            total += len(chunk)
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    assert total < FRAMES * FRAME_BYTES / 2
