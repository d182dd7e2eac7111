"""A moderator's /moderation/ page shows a new alert live, without reloading, when a child's
cry for help is posted (real Daphne, real Chromium)."""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from tests.chat.live import Browser, next_frame
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import log_in


async def post_as_child(base: str, text: str) -> None:
    child = Browser(base).log_in("demo-child2", DEMO_PASSWORD)
    async with child.websocket("/ws/rooms/general/") as socket:
        await socket.send(
            f'{{"type": "message", "text": "{text}", "client_id": "{uuid.uuid4().hex}"}}'
        )
        await next_frame(socket, skip=("presence", "message"))  # the kind notice comes back


def test_a_cry_for_help_appears_on_the_moderation_page_without_reloading(page, live_site):
    log_in(page, "demo-moderator", DEMO_PASSWORD)
    page.goto("/moderation/")
    expect(page.get_by_role("heading", name="Moderation", level=1)).to_be_visible()
    expect(page.get_by_text("Live alerts are on.")).to_be_visible()
    page.evaluate("window.__not_reloaded = true")
    # Playwright's sync API owns this thread's event loop: the child talks from another thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(
            asyncio.run, post_as_child(live_site.url, "nobody would care if I was gone")
        ).result()
    live = page.get_by_role("log", name="New alerts")
    expect(live.get_by_role("listitem").first).to_contain_text("self_harm")
    expect(live.get_by_role("listitem").first).to_contain_text("demo-child2")
    assert page.evaluate("window.__not_reloaded") is True
