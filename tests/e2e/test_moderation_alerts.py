"""A moderator's /moderation/ page shows a new alert live, without reloading, when a child's
cry for help is posted (real Daphne, real Chromium)."""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from tests.chat.live import Browser, find, fresh_bubble, next_frame
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import log_in


def child_name_of(child: Browser) -> str:
    return find(r"Hi, ([\w-]+)", child.get("/chat/")[2])


def open_bubble(site) -> tuple[Browser, int]:
    _, _, child, bubble_id = fresh_bubble(site)
    return child, bubble_id


async def post_in_bubble(child: Browser, bubble_id: int, text: str) -> None:
    async with child.websocket(f"/ws/bubbles/{bubble_id}/") as socket:
        await socket.send(
            f'{{"type": "message", "text": "{text}", "client_id": "{uuid.uuid4().hex}"}}'
        )
        frame = await next_frame(socket, skip=("presence", "notice"))
        assert frame["type"] == "message" and frame["text"] == text  # never hidden in a bubble


def test_a_cry_for_help_in_a_bubble_appears_on_the_moderation_page_without_reloading(
    page, live_site
):
    child, bubble_id = open_bubble(live_site)
    log_in(page, "demo-moderator", DEMO_PASSWORD)
    page.goto("/moderation/")
    expect(page.get_by_role("heading", name="Moderation", level=1)).to_be_visible()
    expect(page.get_by_text("Live alerts are on.")).to_be_visible()
    page.evaluate("window.__not_reloaded = true")
    # Playwright's sync API owns this thread's event loop: the child talks from another thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(
            asyncio.run, post_in_bubble(child, bubble_id, "nobody would care if I was gone")
        ).result()
    live = page.get_by_role("log", name="New alerts")
    expect(live.get_by_role("listitem").first).to_contain_text("self_harm")
    expect(live.get_by_role("listitem").first).to_contain_text(child_name_of(child))
    assert page.evaluate("window.__not_reloaded") is True
