"""The one event path: every live update leaves through ``send_event_on_commit``, from any app
and any process.

An event is a channel-layer message (``{"type": "chat.message", "frame": {...}}``) for one or
more groups named by ``group_name``. It leaves only once the transaction that caused it
commits (a rolled-back transaction sends nothing), and reaches the open sockets of every
process, whichever process wrote it:

- **In the process that serves sockets** (Daphne: ``serve_events_here`` binds its event loop)
  the committing thread hands the event to that loop and returns at once; one sender task per
  loop sends events in the order they committed. The database thread never waits for the
  loop, and a chat socket can wait for its own message's events with ``flushed()``.
- **Anywhere else with a shared layer** (``REDIS_URL``: the Celery worker, beat, a management
  command) the event goes straight to Redis.
- **Anywhere else in the embedded default** (``EVENTS_OUTBOX``: SQLite and the in-memory
  layer, which lives inside Daphne) the event is written to the outbox table; Daphne's relay
  reads it within ``EVENTS_OUTBOX_POLL_SECONDS`` and sends it on. Why an outbox rather than a
  database-backed channel layer: chat's own traffic never touches it (it stays in Daphne's
  memory), so the hot path keeps its speed, and only the rare events of other processes (an
  alert raised again by beat, a request the worker expired) pay for one small INSERT.

Failures of the channel layer are logged, never silent, and reported on a ``Delivery``.
Tests capture what a write sends with ``capture_events``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from .layers import PerLoop

logger = logging.getLogger(__name__)

# This process, for the open-socket records (``minimentors.sockets``).
PROCESS_ID = uuid.uuid4().hex[:16]

GROUP_KINDS = frozenset({"room", "user", "session", "queue", "alerts"})
# Outbox rows older than this are of no use to a page any more; whoever writes prunes them.
OUTBOX_KEEP = timedelta(minutes=5)
OUTBOX_BATCH = 500


def group_name(kind: str, key: int | str) -> str:
    """The one place group names are made.

    ``room``: sockets open on a room or bubble; ``user``: every socket of one member;
    ``session``: every socket of one login (closed at logout); ``queue``: mentors watching
    bubble requests; ``alerts``: staff alert feeds (``moderators``, ``counsellors``,
    ``staff``, ``on-call.<id>``)."""
    if kind not in GROUP_KINDS:
        raise ValueError(f"Unknown event group kind {kind!r}.")
    return f"mm.{kind}.{key}"


@dataclass
class Delivery:
    """Filled in once the events are sent: the groups the channel layer did not take."""

    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


Event = dict[str, Any] | Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class CapturedEvent:
    groups: tuple[str, ...]
    event: dict[str, Any]

    @property
    def frame(self) -> dict[str, Any] | None:
        return self.event.get("frame")


_captures: list[list[CapturedEvent]] = []


def send_event_on_commit(
    event: Event, groups: Iterable[str], delivery: Delivery | None = None
) -> None:
    """Send ``event`` to each of ``groups`` once the current transaction commits (at once when
    there is none). ``event`` may be a function that builds it after the commit, to read the
    committed state; it runs in the committing thread."""
    targets = tuple(groups)
    if not targets:
        return
    transaction.on_commit(lambda: _dispatch(targets, event, delivery))


@contextmanager
def capture_events() -> Iterator[list[CapturedEvent]]:
    """Tests: the events sent inside the block, in order, instead of sending them. Works in
    tests with or without real transactions (pending commit callbacks run at the block's
    end, as they would at a commit)."""
    from django.test import TestCase

    captured: list[CapturedEvent] = []
    _captures.append(captured)
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            yield captured
    finally:
        _captures.remove(captured)


def _prepared(event: Event) -> dict[str, Any]:
    if callable(event):
        event = event()
    if "frame" in event and "text" not in event:
        # Encoded once here rather than once per socket in the group.
        event = {**event, "text": json.dumps(event["frame"])}
    return event


def _dispatch(groups: tuple[str, ...], event: Event, delivery: Delivery | None) -> None:
    """After commit, in the committing thread: the one place that decides where an event goes
    (see the module docstring)."""
    prepared = _prepared(event)
    if _captures:
        _captures[-1].append(CapturedEvent(groups, prepared))
        return
    loop = _serving_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_hand_over, groups, prepared, delivery)
            return
        except RuntimeError:  # the loop closed between the check and the call
            pass
    if settings.EVENTS_OUTBOX:
        outbox_write(groups=groups, event=prepared)
        return
    async_to_sync(_deliver)(groups, prepared, delivery)


async def _deliver(
    groups: tuple[str, ...], event: dict[str, Any], delivery: Delivery | None
) -> None:
    layer = get_channel_layer()
    for group in groups:
        try:
            await layer.group_send(group, event)
        except ChannelFull:
            logger.error("Channel layer full: %s to %s was not delivered", event.get("type"), group)
        except Exception:
            logger.exception("Channel layer failed: %s to %s", event.get("type"), group)
        else:
            continue
        if delivery is not None:
            delivery.failed.append(group)


# --- The process that serves sockets ---------------------------------------------------------

_loop: asyncio.AbstractEventLoop | None = None


def serve_events_here() -> None:
    """Called from the event loop of the process that serves sockets (every websocket and HTTP
    request passes here; it costs one comparison after the first). Events committed by any
    thread of this process are then sent from this loop, and in the embedded default the
    outbox relay starts."""
    global _loop
    loop = asyncio.get_running_loop()
    if _loop is loop:
        return
    _loop = loop
    if settings.EVENTS_OUTBOX:
        _relays.get().start()


def _serving_loop() -> asyncio.AbstractEventLoop | None:
    loop = _loop
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


class _Sender:
    """One per loop: sends events in the order they were handed over."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[tuple[str, ...], dict[str, Any], Delivery | None]] = (
            asyncio.Queue()
        )
        self.task: asyncio.Task[None] | None = None

    def put(
        self, groups: tuple[str, ...], event: dict[str, Any], delivery: Delivery | None
    ) -> None:
        self.queue.put_nowait((groups, event, delivery))
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while not self.queue.empty():
            groups, event, delivery = self.queue.get_nowait()
            if groups == ():  # a marker from ``flushed``
                event["done"].set_result(None)
                continue
            await _deliver(groups, event, delivery)


_senders = PerLoop(_Sender)


def _hand_over(groups: tuple[str, ...], event: dict[str, Any], delivery: Delivery | None) -> None:
    # Runs on the serving loop itself (through call_soon_threadsafe), so PerLoop finds it.
    _senders.get().put(groups, event, delivery)


async def flushed() -> None:
    """Wait until every event handed to this loop so far has been sent. Events committed by a
    ``database_sync_to_async`` call that has returned are already handed over."""
    done = asyncio.get_running_loop().create_future()
    _senders.get().put((), {"done": done}, None)
    await done


# --- The outbox (embedded default: events from other processes) -----------------------------


def outbox_write(*, groups: Iterable[str], event: dict[str, Any]) -> None:
    """Store an event for the socket process's relay, and prune rows nobody relayed."""
    from .models import OutboxEvent

    OutboxEvent.objects.create(groups=list(groups), event=event)
    OutboxEvent.objects.filter(created_at__lt=timezone.now() - OUTBOX_KEEP).delete()


def _outbox_take(*, first: bool) -> list[tuple[list[str], dict[str, Any]]]:
    """In the relay's own thread: the waiting events, oldest first, deleted as they are taken.
    At the relay's start, what waited is from before this process and is dropped."""
    from .models import OutboxEvent

    close_old_connections()
    if first:
        OutboxEvent.objects.all().delete()
        return []
    rows = list(
        OutboxEvent.objects.order_by("pk").values_list("pk", "groups", "event")[:OUTBOX_BATCH]
    )
    if rows:
        OutboxEvent.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
    return [(groups, event) for _, groups, event in rows]


class _Relay:
    """Daphne's reader of the outbox: one task per loop, its database work in a thread of its
    own so that chat's database thread never waits for it."""

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-relay")

    def start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        first = True
        while True:
            try:
                taken = await loop.run_in_executor(
                    self.executor, functools.partial(_outbox_take, first=first)
                )
                first = False
            except Exception:
                logger.exception("The event outbox could not be read; trying again")
                taken = []
            sender = _senders.get()
            for groups, event in taken:
                sender.put(tuple(groups), event, None)
            if len(taken) < OUTBOX_BATCH:
                await asyncio.sleep(settings.EVENTS_OUTBOX_POLL_SECONDS)


_relays = PerLoop(_Relay)
