"""Faults survived: two Daphne processes on one redis-server and one PostgreSQL, one killed
mid-conversation. Its clients reconnect to the other and resume: nothing missing, nothing
doubled. (A restarted Redis: tests/foundation/test_redis_restart.py.)"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid

import pytest

from tests.chat.live import Browser, message_tag, next_frame
from tests.chat.test_scale import fresh_database_url
from tests.conftest import DEMO_PASSWORD, LiveSite, site_environment, start_live_site

pytestmark = [pytest.mark.scale, pytest.mark.server]


async def send(socket, text: str) -> None:
    await socket.send(f'{{"type": "message", "text": "{text}", "client_id": "{uuid.uuid4().hex}"}}')


async def test_a_killed_daphne_loses_nothing_and_doubles_nothing(tmp_path):
    env = {"DATABASE_URL": fresh_database_url(), "REDIS_URL": os.environ["REDIS_URL"]}
    doomed = start_live_site(tmp_path / "a", **env)
    (tmp_path / "b").mkdir()
    survivor = LiveSite(tmp_path / "b", site_environment(tmp_path / "b", **env)).start()
    try:
        mentor = Browser(survivor.url).log_in("demo-mentor", DEMO_PASSWORD)
        child = Browser(doomed.url).log_in("demo-child", DEMO_PASSWORD)
        child.base = survivor.url  # the same session cookie works on either process
        tag = message_tag()
        async with mentor.websocket("/ws/rooms/general/") as mia:
            amy = await Browser.websocket(
                child_on(child, doomed), "/ws/rooms/general/"
            ).__aenter__()
            await send(mia, f"hello {tag}")
            seen = await next_frame(amy)
            assert seen["text"] == f"hello {tag}"
            os.kill(doomed.process.pid, signal.SIGKILL)  # mid-conversation, no goodbye
            sent = [f"while it was down {word} {tag}" for word in ("one", "two", "three")]
            for text in sent:
                await send(mia, text)
                await next_frame(mia)  # stored by the survivor and echoed
            async with child.websocket("/ws/rooms/general/") as again:  # to the survivor
                await again.send(f'{{"type": "resume", "after": {seen["id"]}}}')
                resumed = [await next_frame(again) for _ in sent]
                assert [frame["text"] for frame in resumed] == sent  # nothing missing
                await send(mia, f"after {tag}")
                assert (await next_frame(again))["text"] == f"after {tag}"
                with pytest.raises(asyncio.TimeoutError):
                    await next_frame(again, timeout=0.5)  # nothing doubled
    finally:
        survivor.stop()
        doomed.stop()


def child_on(child: Browser, site: LiveSite) -> Browser:
    """The same logged-in child, talking to ``site``."""
    copy = Browser(site.url)
    copy.jar = child.jar
    copy.opener = child.opener
    return copy
