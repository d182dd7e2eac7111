"""Serve MiniMentors with Daphne, with a send budget for every websocket.

    .venv/bin/python -m minimentors.serve -b 127.0.0.1 -p 8000 minimentors.asgi:application

The arguments are Daphne's own. The only difference from running ``daphne`` is the websocket
protocol, ``BudgetedWebSocketProtocol``.

Why: a socket whose client stops reading (a phone in a lift, a script that never reads) still
receives every room message. The kernel's buffers fill, then Twisted keeps the rest in memory
with no limit, so one such client could make the whole server run out of memory. Twisted's
public producer interface tells us when a connection's buffer is full (``pauseProducing``) and
when it has drained (``resumeProducing``). While it is full we count what we still write; once
that passes ``SOCKET_SEND_BUDGET`` bytes the connection is dropped. Nothing is lost: every
message is stored before it is broadcast, and the client resumes from its last message when
it reconnects (the websocket contract's ``resume``).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import daphne.server
from daphne.cli import CommandLineInterface
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer

logger = logging.getLogger("minimentors.security")

DEFAULT_BUDGET = 1024 * 1024  # bytes written while the client is not reading


def send_budget() -> int:
    """The budget in bytes, from ``SOCKET_SEND_BUDGET`` in the environment (settings are not
    loaded yet when the server starts)."""
    try:
        return max(4096, int(os.environ.get("SOCKET_SEND_BUDGET", DEFAULT_BUDGET)))
    except ValueError:
        return DEFAULT_BUDGET


@implementer(IPushProducer)
class SendBudget:
    """Told by the transport when its buffer is full and when it has drained."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.full = False
        self.owed = 0  # bytes written since the buffer became full

    def pauseProducing(self) -> None:  # noqa: N802 (Twisted's interface)
        self.full = True

    def resumeProducing(self) -> None:  # noqa: N802
        self.full = False
        self.owed = 0

    def stopProducing(self) -> None:  # noqa: N802
        self.full = False

    def spend(self, size: int) -> bool:
        """Count ``size`` bytes about to be written; False when the budget is spent."""
        if not self.full:
            return True
        self.owed += size
        return self.owed <= self.budget


class BudgetedWebSocketProtocol(WebSocketProtocol):
    """Daphne's websocket protocol, dropping a client that does not read its messages."""

    send_budget: SendBudget | None = None
    dropped = False

    def connectionMade(self) -> None:  # noqa: N802
        super().connectionMade()
        transport: Any = self.transport
        if getattr(transport, "producer", None) is not None:
            # The HTTP channel that upgraded to a websocket is still registered; it no longer
            # writes anything on this connection.
            transport.unregisterProducer()
        self.send_budget = SendBudget(send_budget())
        transport.registerProducer(self.send_budget, True)

    def serverSend(self, content: Any, binary: bool = False) -> None:  # noqa: N802
        if self.dropped:
            return
        size = len(content) if binary else len(content.encode("utf8"))
        if self.send_budget is not None and not self.send_budget.spend(size):
            self.drop_slow_reader()
            return
        super().serverSend(content, binary)

    def drop_slow_reader(self) -> None:
        self.dropped = True
        budget = self.send_budget.budget if self.send_budget is not None else send_budget()
        path = getattr(getattr(self, "request", None), "path", b"")
        logger.warning(
            "websocket dropped: the client stopped reading (path %s, over %d bytes waiting)",
            path.decode("ascii", "replace") if isinstance(path, bytes) else path,
            budget,
        )
        transport: Any = self.transport
        transport.abortConnection()


class BudgetedWebSocketFactory(WebSocketFactory):
    protocol = BudgetedWebSocketProtocol


def main(argv: list[str] | None = None) -> None:
    # Daphne's server builds its websocket factory from this module-level name; this is the
    # one change made to Daphne.
    daphne.server.WebSocketFactory = BudgetedWebSocketFactory  # type: ignore[misc]
    CommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
