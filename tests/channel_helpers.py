"""Helpers for tests that listen on a channel layer directly."""

from __future__ import annotations

import asyncio


async def receives_nothing(layer, channel: str, timeout: float = 0.1) -> bool:
    """True if nothing arrives on ``channel`` within ``timeout`` seconds."""
    try:
        await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return True
    return False
