"""The embedded channel layer: Channels' in-memory layer, made fit for a busy single process.

Channels' ``InMemoryChannelLayer`` walks every channel and group on each send and receive to
drop expired messages, copies a group message once per member, starts a task per member and
drops a message for a full channel without a word. With 200 sockets in rooms of 20 that
walk is most of the server's time. This layer keeps its behaviour and contract (same
expiry, capacity and group expiry) but:

- cleans expired messages at most once every ``CLEAN_EVERY`` seconds;
- copies a group message once and hands the same copy to every member (group handlers must
  not change the event they are given; ours build new frames);
- logs a full channel as an error instead of dropping the message silently.

With ``REDIS_URL`` set the site uses ``channels_redis`` instead; this is only the default.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from copy import deepcopy
from typing import Any, Generic, TypeVar

from channels import DEFAULT_CHANNEL_LAYER
from channels.consumer import get_handler_name
from channels.exceptions import ChannelFull, StopConsumer
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

T = TypeVar("T")

CLEAN_EVERY = 1.0


class EmbeddedChannelLayer(InMemoryChannelLayer):
    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < CLEAN_EVERY:
            return
        self._cleaned_at = now
        super()._clean_expired()

    def _put(self, channel: str, message: dict[str, Any]) -> None:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            queue.put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        assert "__asgi_channel__" not in message
        self.require_valid_channel_name(channel)
        self._put(channel, deepcopy(message))

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        members = self.groups.get(group)
        if not members:
            return
        shared = deepcopy(message)
        full = 0
        for channel in list(members):
            try:
                self._put(channel, shared)
            except ChannelFull:
                full += 1
        if full:
            logger.error(
                "Channel layer full: %s of %s sockets in %s missed a %s event",
                full,
                len(members),
                group,
                message.get("type"),
            )


class PerLoop(Generic[T]):
    """One ``T`` per running event loop (one per Daphne process, a fresh one per test loop),
    made by ``factory`` the first time the loop asks and dropped with the loop."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._made: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        made = self._made.get(loop)
        if made is None:
            made = self._made[loop] = self._factory()
        return made


class _SourceFailed:
    def __init__(self, error: Exception) -> None:
        self.error = error


async def _dispatch_all(sources: list[Callable[[], Awaitable[dict]]], dispatch) -> None:
    """Dispatch what ``sources`` give, one message at a time, until the consumer stops.

    Channels' own loop (``channels.utils.await_many_dispatch``) waits with ``asyncio.wait``
    and starts a new task for every message; on a busy server that was a sixth of the time
    spent on each broadcast frame. Here each source has one long-lived task that hands its
    messages over through a queue of one, so a source is not read again until its last
    message was dispatched (the channel layer's capacity still applies). A source that fails
    ends the loop with its error, so the socket closes and the browser reconnects, rather
    than staying open deaf to the room."""
    inbox: asyncio.Queue[dict | _SourceFailed] = asyncio.Queue(maxsize=1)

    async def pump(source: Callable[[], Awaitable[dict]]) -> None:
        try:
            while True:
                await inbox.put(await source())
        except Exception as error:  # e.g. Redis gone: end the consumer, as Channels' loop does
            await inbox.put(_SourceFailed(error))

    pumps = [asyncio.create_task(pump(source)) for source in sources]
    try:
        while True:
            message = await inbox.get()
            if isinstance(message, _SourceFailed):
                raise message.error
            await dispatch(message)
    finally:
        for task in pumps:
            task.cancel()
        for task in pumps:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class DirectDispatch:
    """For consumers whose database work all goes through ``database_sync_to_async``.

    Since Channels 4.2 every event a consumer handles first hops to the database thread to
    close stale connections. ``database_sync_to_async`` already does that around each call,
    so for these consumers the hop only queues every broadcast frame behind the database
    work of every other socket. This dispatch calls the handler directly, and messages from
    the browser and the channel layer arrive through ``_dispatch_all``."""

    channel_layer_alias = DEFAULT_CHANNEL_LAYER

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        # As ``channels.consumer.AsyncConsumer.__call__``, with the lighter dispatch loop.
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            await _dispatch_all(sources, self.dispatch)

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
