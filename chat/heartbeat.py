"""One presence heartbeat per process.

Every ``PRESENCE_HEARTBEAT_SECONDS`` the ``seen_at`` of every socket this process holds is
refreshed in one query, instead of one query per socket. A process that stops (or hangs)
stops beating, and its rows go stale after ``PRESENCE_STALE_AFTER``, so they stop counting.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async

from minimentors.layers import PerLoop

from . import selectors, services

logger = logging.getLogger(__name__)


class Heartbeat:
    """The sockets of one event loop (one Daphne process) and the task that keeps them fresh."""

    def __init__(self) -> None:
        self.channels: set[str] = set()
        self.task: asyncio.Task | None = None

    def add(self, channel_name: str) -> None:
        self.channels.add(channel_name)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._beat())

    def discard(self, channel_name: str) -> None:
        self.channels.discard(channel_name)

    async def _beat(self) -> None:
        while self.channels:
            await asyncio.sleep(selectors.PRESENCE_HEARTBEAT_SECONDS)
            await self.beat_now()

    async def beat_now(self) -> None:
        names = sorted(self.channels)
        if not names:
            return
        try:
            await database_sync_to_async(services.sockets_heartbeat)(channel_names=names)
        except Exception:
            logger.exception("Presence heartbeat failed for %s sockets", len(names))


_heartbeats = PerLoop(Heartbeat)


def heartbeat() -> Heartbeat:
    """This event loop's heartbeat."""
    return _heartbeats.get()
