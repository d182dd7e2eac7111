"""The way a chat socket's messages reach ``services.post_message``: one queue per process.

Every message still goes through ``post_message`` on its own: its own checks, rate limit,
verdict and transaction. The queue only changes how messages travel to the database thread
and back: messages that arrive while a batch is being stored go to the database thread
together. Their events leave through the one event path (``minimentors.events``), which
hands them to this event loop as they commit; each sender is answered once its message's
events were sent (``events.flushed``), so it learns whether everyone got it. Under load the
batches grow, so the cost per message falls.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async

from minimentors import events
from minimentors.layers import PerLoop

from . import services
from .models import Room

logger = logging.getLogger(__name__)


def _unavailable() -> services.ChatError:
    return services.ChatError(
        "unavailable", "Sorry, we couldn't send that just now. Please try again soon."
    )


@dataclass
class _Item:
    author: Any
    room: Room
    text: str
    client_id: str
    future: asyncio.Future


Outcome = services.PostResult | services.ChatError


def _store(batch: list[_Item]) -> list[Outcome]:
    """In the database thread: ``post_message`` for each item."""
    outcomes: list[Outcome] = []
    for item in batch:
        try:
            result: Outcome = services.post_message(
                author=item.author, room=item.room, text=item.text, client_id=item.client_id
            )
        except services.ChatError as error:
            result = error
        except Exception:
            logger.exception("Posting a message in %s failed", item.room.label)
            result = _unavailable()
        outcomes.append(result)
    return outcomes


class PostQueue:
    """The queue of one event loop (one per Daphne process)."""

    def __init__(self) -> None:
        self.waiting: list[_Item] = []
        self.worker: asyncio.Task | None = None

    async def post(
        self, *, author: Any, room: Room, text: str, client_id: str
    ) -> services.PostResult:
        """Store and broadcast one message; raises ``ChatError`` as ``post_message`` does."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.append(_Item(author, room, text, client_id, future))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.create_task(self._drain())
        outcome = await future
        if isinstance(outcome, services.ChatError):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting, []
            try:
                outcomes = await database_sync_to_async(_store)(batch)
            except Exception:
                logger.exception("Posting %s chat messages failed", len(batch))
                outcomes = [_unavailable() for _ in batch]
            await events.flushed()
            for item, result in zip(batch, outcomes, strict=True):
                if not item.future.done():  # the socket may have gone meanwhile
                    item.future.set_result(result)


_queues = PerLoop(PostQueue)


async def post_message(
    *, author: Any, room: Room, text: str, client_id: str
) -> services.PostResult:
    """``services.post_message`` for a socket, through this process's queue."""
    return await _queues.get().post(author=author, room=room, text=text, client_id=client_id)
