"""Channel-layer groups and the one way chat events leave a transaction.

Every group name comes from ``group_name``; every event is sent by ``send_after_commit`` so
nothing reaches a socket before the data it describes is stored (a rolled-back transaction
sends nothing). Failures of the channel layer are logged, never silent, and reported back to
the caller through a ``Delivery``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

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


def _send_now(group: str, event: Event, delivery: Delivery | None) -> None:
    layer = get_channel_layer()
    if callable(event):
        event = event()
    try:
        async_to_sync(layer.group_send)(group, event)
    except ChannelFull:
        logger.error("Channel layer full: %s to %s was not delivered", event.get("type"), group)
        if delivery is not None:
            delivery.failed.append(group)
    except Exception:
        logger.exception("Channel layer failed: %s to %s", event.get("type"), group)
        if delivery is not None:
            delivery.failed.append(group)


def send_after_commit(group: str, event: Event, delivery: Delivery | None = None) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (now, if none).
    ``event`` may be a function that builds it after commit (to read committed state)."""
    transaction.on_commit(lambda: _send_now(group, event, delivery))
