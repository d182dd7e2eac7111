"""Channel-layer groups and the one way chat events leave a transaction.

Every group name comes from ``group_name``; every event is sent by ``send_after_commit`` so
nothing reaches a socket before the data it describes is stored (a rolled-back transaction
sends nothing). Failures of the channel layer are logged, never silent, and reported back to
the caller through a ``Delivery``. An event with a ``frame`` also carries it as JSON ``text``,
encoded once for the whole group.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

QUEUE_MENTORS = "mentors"


def group_name(kind: str, key: int | str) -> str:
    """``room``: sockets open on a room or bubble; ``user``: every socket of one person;
    ``queue``: mentors watching bubble requests."""
    if kind not in {"room", "user", "queue"}:
        raise ValueError(f"Unknown chat group kind {kind!r}.")
    return f"chat.{kind}.{key}"


@dataclass
class Delivery:
    """Filled in after commit: whether every event reached the channel layer."""

    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


Event = dict[str, Any] | Callable[[], dict[str, Any]]


Collected = list[tuple[str, dict[str, Any], "Delivery | None"]]
_collecting: ContextVar[Collected | None] = ContextVar("chat_events_collecting", default=None)


@contextmanager
def collect() -> Iterator[Collected]:
    """Inside this block, events due after commit are kept, in commit order, in the list it
    gives (group, event, delivery) instead of being sent from this thread; the caller sends
    them from the event loop with ``send_collected``. Used by ``chat.pipeline``."""
    collected: Collected = []
    token = _collecting.set(collected)
    try:
        yield collected
    finally:
        _collecting.reset(token)


def _prepared(event: Event) -> dict[str, Any]:
    if callable(event):
        event = event()
    if "frame" in event:
        # Encoded once here rather than once per socket in the group (see ``_ChatSocket.relay``).
        event = {**event, "text": json.dumps(event["frame"])}
    return event


async def _deliver(group: str, event: dict[str, Any], delivery: Delivery | None) -> None:
    """Send one prepared event; a failure is logged and recorded on ``delivery``."""
    try:
        await get_channel_layer().group_send(group, event)
    except ChannelFull:
        logger.error("Channel layer full: %s to %s was not delivered", event.get("type"), group)
    except Exception:
        logger.exception("Channel layer failed: %s to %s", event.get("type"), group)
    else:
        return
    if delivery is not None:
        delivery.failed.append(group)


def _send_now(group: str, event: Event, delivery: Delivery | None) -> None:
    prepared = _prepared(event)
    collected = _collecting.get()
    if collected is not None:
        collected.append((group, prepared, delivery))
        return
    async_to_sync(_deliver)(group, prepared, delivery)


async def send_collected(collected: Collected) -> None:
    """Send events kept by ``collect``, in order, from the event loop."""
    for group, event, delivery in collected:
        await _deliver(group, event, delivery)


async def run_collecting(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a service in the database thread and send the events it caused from the event loop.

    Without this, each event is sent from the database thread, which then waits for the event
    loop; on a busy server every other socket's database work waits behind it (a room filling
    up after a restart sends a presence event per join). Events of transactions that committed
    before the service raised are still sent, before the error is raised here."""

    def call() -> tuple[T | None, Collected, Exception | None]:
        with collect() as collected:
            try:
                return function(**kwargs), collected, None
            except Exception as error:  # re-raised below, after the committed events are sent
                return None, collected, error

    result, collected, error = await database_sync_to_async(call)()
    await send_collected(collected)
    if error is not None:
        raise error
    return result  # type: ignore[return-value]


def send_after_commit(group: str, event: Event, delivery: Delivery | None = None) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (now, if none).
    ``event`` may be a function that builds it after commit (to read committed state)."""
    transaction.on_commit(lambda: _send_now(group, event, delivery))
