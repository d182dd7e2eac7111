"""Live from every process, in ``make run``'s embedded default: the real Procfile processes
(Daphne, a Celery worker, beat) under the same supervisor ``make run`` uses, SQLite and the
in-memory channel layer. What the worker and beat change reaches open pages without a reload
(through the event outbox that Daphne relays), and the hours banner changes at closing time.

Beat's every-minute jobs run every 2 seconds here, an alert is raised again after 3 seconds
and a bubble request expires after 4, so the test waits seconds, not minutes."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.chat.live import Browser as HttpBrowser
from tests.chat.live import next_frame
from tests.conftest import DEMO_PASSWORD, REPO, site_environment
from tests.e2e.conftest import log_in
from tests.services import free_port, wait_for_port

UK = ZoneInfo("Europe/London")


def closing_soon() -> datetime:
    """A closing time (UK) 60-120 seconds from now, on today's date."""
    now = datetime.now(UK)
    closes = (now + timedelta(seconds=120)).replace(second=0, microsecond=0)
    if closes.date() != now.date():  # too close to midnight for "00:00-HH:MM": wait it out
        time.sleep((closes - now).total_seconds() + 5)
        return closing_soon()
    return closes


class ProcfileSite:
    def __init__(self, var_dir: Path, closes: datetime) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.closes = closes
        self.env = site_environment(
            var_dir,
            OPENING_HOURS=f"00:00-{closes:%H:%M}",
            PORT=str(self.port),
            HOST="127.0.0.1",
            BEAT_TICK_SECONDS="2",
            ALERT_REPEAT_SECONDS="3",
            BUBBLE_REQUEST_EXPIRE_SECONDS="4",
        )
        for variable in ("DATABASE_URL", "REDIS_URL", "DEMO_PASSWORD"):
            self.env.pop(variable, None)
        self.log_path = var_dir / "site.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> ProcfileSite:
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=REPO, env=self.env,
                           check=True, capture_output=True)  # fmt: skip
        log = open(self.log_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "minimentors.supervise", "-f", "Procfile"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port, timeout=60)
        deadline = time.monotonic() + 60
        while "beat: Starting" not in self.log_path.read_text() or " ready" not in (
            self.log_path.read_text()
        ):
            assert time.monotonic() < deadline, self.log_path.read_text()[-3000:]
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def procfile_site(tmp_path_factory) -> Iterator[ProcfileSite]:
    site = ProcfileSite(tmp_path_factory.mktemp("procfile-site"), closing_soon()).start()
    yield site
    site.stop()


@pytest.fixture
def context_on(browser: Browser, procfile_site: ProcfileSite):
    contexts = []

    def make():
        context = browser.new_context(base_url=procfile_site.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


async def cry_for_help_in_general(site_url: str) -> None:
    child = HttpBrowser(site_url).log_in("demo-child2", DEMO_PASSWORD)
    async with child.websocket("/ws/rooms/general/") as socket:
        text = "i want to kill myself tonight"
        await socket.send(f'{{"type": "message", "text": "{text}", "client_id": "{uuid.uuid4()}"}}')
        await next_frame(socket, skip=("presence", "message"))  # the kind notice


def test_an_alert_raised_again_by_beat_shows_on_an_open_moderator_page(context_on, procfile_site):
    page = context_on()
    log_in(page, "demo-moderator", DEMO_PASSWORD)
    page.goto("/moderation/")
    expect(page.get_by_text("Live alerts are on.")).to_be_visible()
    page.evaluate("window.__not_reloaded = true")
    with ThreadPoolExecutor(1) as pool:  # Playwright owns this thread's event loop
        pool.submit(asyncio.run, cry_for_help_in_general(procfile_site.url)).result()
    live = page.get_by_role("log", name="New alerts")
    expect(live.get_by_role("listitem").first).to_contain_text("self_harm")
    # Nobody acknowledges it: beat's job, in the worker, raises it again to every staff feed.
    expect(live.get_by_text("raised again", exact=False).first).to_be_visible(timeout=20_000)
    assert page.evaluate("window.__not_reloaded") is True


def test_a_request_the_worker_expires_updates_the_waiting_childs_lobby(context_on):
    page = context_on()
    log_in(page, "demo-child", DEMO_PASSWORD)
    page.goto("/chat/")
    page.get_by_role("button", name="Talk to a MiniMentor").click()
    waiting = page.locator("#waiting-status")
    expect(waiting).to_contain_text("We're finding a MiniMentor for you")
    page.evaluate("window.__not_reloaded = true")
    expect(waiting).to_contain_text("no MiniMentor was free", timeout=20_000)
    expect(waiting).to_contain_text("0800 1111")
    assert page.evaluate("window.__not_reloaded") is True


def test_the_hours_banner_changes_at_closing_time_without_a_reload(context_on, procfile_site):
    page = context_on()
    page.goto("/")
    banner = page.get_by_role("status").filter(has_text="MiniMentors are")
    expect(banner).to_contain_text("MiniMentors are here")
    page.evaluate("window.__not_reloaded = true")
    left = (procfile_site.closes - datetime.now(UK)).total_seconds()
    assert left > 0, "the site closed before the page was open"
    expect(banner).to_contain_text("MiniMentors are away", timeout=(left + 20) * 1000)
    expect(banner).to_contain_text("0800 1111")
    assert page.evaluate("window.__not_reloaded") is True
