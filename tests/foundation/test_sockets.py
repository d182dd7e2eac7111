"""Open-socket records: one heartbeat per process keeps them fresh, the cap counts only live
ones, and sockets of a process that died (a restart) never count against it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from minimentors import events, sockets
from minimentors.models import OpenSocket

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = timedelta(minutes=10)


def socket_rows(user, names, *, process=None, seen_at=None):
    seen_at = seen_at or timezone.now() - LONG_AGO
    return [
        OpenSocket.objects.create(
            channel_name=n, user=user, role="child", seen_at=seen_at,
            process=process or events.PROCESS_ID,
        )
        for n in names
    ]  # fmt: skip


def fresh(name) -> bool:
    seen_at = OpenSocket.objects.get(channel_name=name).seen_at
    return timezone.now() - seen_at < timedelta(minutes=1)


def test_sockets_heartbeat_refreshes_only_the_named_sockets_in_chunks(child, monkeypatch):
    monkeypatch.setattr(sockets, "HEARTBEAT_CHUNK", 2)
    socket_rows(child, [f"sock.{n}" for n in range(6)])
    refreshed = sockets.sockets_heartbeat(channel_names=[f"sock.{n}" for n in range(5)])
    assert refreshed == 5
    assert all(fresh(f"sock.{n}") for n in range(5))
    assert not fresh("sock.5")


def test_the_process_heartbeat_beats_until_its_last_socket_goes(child, monkeypatch):
    monkeypatch.setattr(sockets, "PROCESS_BEAT_SECONDS", 0.02)
    monkeypatch.setattr(sockets, "HEARTBEAT_SECONDS", 0.04)
    socket_rows(child, ["sock.a", "sock.b", "sock.c"])

    async def scenario():
        beat = sockets.heartbeat()
        assert sockets.heartbeat() is beat  # one per event loop
        beat.add("sock.a")
        beat.add("sock.b")
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await database_sync_to_async(fresh)("sock.b"):
                break
        task = beat.task
        beat.discard("sock.a")
        beat.discard("sock.b")
        await asyncio.wait_for(task, 5)  # nothing left to keep fresh: the task ends
        return task.done()

    assert asyncio.run(scenario())
    assert fresh("sock.a") and fresh("sock.b")
    assert not fresh("sock.c")  # not held by this process


def test_a_failed_heartbeat_is_logged_and_the_beat_goes_on(child, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(sockets, "sockets_heartbeat", broken)

    async def scenario():
        beat = sockets.Heartbeat()
        beat.channels.add("sock.x")
        await beat.beat_now()

    asyncio.run(scenario())
    assert "Socket heartbeat failed for 1 sockets" in caplog.text


def test_the_cap_counts_live_sockets_and_refuses_one_more(child, settings):
    settings.CHAT_MAX_SOCKETS_PER_MEMBER = 3
    for number in range(3):
        sockets.socket_open(user=child, channel_name=f"live.{number}")
    with pytest.raises(sockets.TooManySockets):
        sockets.socket_open(user=child, channel_name="live.3")
    assert sockets.socket_close(channel_name="live.0") == ""
    sockets.socket_open(user=child, channel_name="live.3")  # one closed: room again


def test_after_a_restart_embedded_the_dead_process_sockets_do_not_count(
    child, settings, monkeypatch
):
    """A member with three tabs reconnects right after Daphne restarts: the old process's
    fresh-looking rows are swept by the first socket of the new process."""
    settings.CHAT_MAX_SOCKETS_PER_MEMBER = 3
    settings.REDIS_URL = ""
    socket_rows(child, ["old.1", "old.2", "old.3"], process="deadprocess", seen_at=timezone.now())
    monkeypatch.setattr(sockets, "_others_swept", False)  # this process has just started
    for number in range(3):
        sockets.socket_open(user=child, channel_name=f"new.{number}")
    assert set(OpenSocket.objects.values_list("channel_name", flat=True)) == {
        "new.0", "new.1", "new.2"
    }  # fmt: skip


def test_with_several_processes_a_socket_counts_while_its_process_says_it_is_alive(child, settings):
    from django.core.cache import cache

    settings.CHAT_MAX_SOCKETS_PER_MEMBER = 2
    settings.REDIS_URL = "redis://shared"  # only the liveness rule is under test here
    socket_rows(child, ["a.1"], process="alive", seen_at=timezone.now())
    socket_rows(child, ["b.1", "b.2"], process="dead", seen_at=timezone.now())
    cache.set("socket-process:alive", 1, timeout=30)
    try:
        sockets.socket_open(user=child, channel_name="mine.1")  # alive.1 + mine.1 = 2
        with pytest.raises(sockets.TooManySockets):
            sockets.socket_open(user=child, channel_name="mine.2")
    finally:
        cache.delete("socket-process:alive")
