"""Presence heartbeat: one query per process keeps every open socket's row fresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat import heartbeat as heartbeat_module
from chat import services
from chat.models import Presence

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = timedelta(minutes=10)


def presence_rows(user, names):
    old = timezone.now() - LONG_AGO
    return [Presence.objects.create(channel_name=n, user=user, role="child", seen_at=old)
            for n in names]  # fmt: skip


def fresh(name) -> bool:
    seen_at = Presence.objects.get(channel_name=name).seen_at
    return timezone.now() - seen_at < timedelta(minutes=1)


def test_sockets_heartbeat_refreshes_only_the_named_sockets_in_chunks(child, monkeypatch):
    monkeypatch.setattr(services, "HEARTBEAT_CHUNK", 2)
    presence_rows(child, [f"sock.{n}" for n in range(6)])
    refreshed = services.sockets_heartbeat(channel_names=[f"sock.{n}" for n in range(5)])
    assert refreshed == 5
    assert all(fresh(f"sock.{n}") for n in range(5))
    assert not fresh("sock.5")


def test_the_process_heartbeat_beats_until_its_last_socket_goes(child, monkeypatch):
    monkeypatch.setattr(heartbeat_module.selectors, "PRESENCE_HEARTBEAT_SECONDS", 0.05)
    presence_rows(child, ["sock.a", "sock.b", "sock.c"])

    async def scenario():
        beat = heartbeat_module.heartbeat()
        assert heartbeat_module.heartbeat() is beat  # one per event loop
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

    monkeypatch.setattr(services, "sockets_heartbeat", broken)

    async def scenario():
        beat = heartbeat_module.Heartbeat()
        beat.channels.add("sock.x")
        await beat.beat_now()

    asyncio.run(scenario())
    assert "Presence heartbeat failed for 1 sockets" in caplog.text
