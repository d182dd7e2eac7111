"""A restart of Redis never gives a child a 500: while it is down, a page that needs it says
kindly to try again in a minute (503, with ChildLine); once it is back, the same Daphne serves
as before, without being restarted. A real redis-server and a real Daphne on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
import urllib.error

import pytest

from tests.chat.live import Browser
from tests.conftest import DEMO_PASSWORD, start_live_site
from tests.services import free_port, wait_for_port

pytestmark = pytest.mark.server


def redis(port: int, folder) -> subprocess.Popen:
    process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
         "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port)
    return process


def post_help(child: Browser) -> tuple[int, str]:
    try:
        status, _, html = child.post("/chat/help/", {"words": "can someone help me please"})
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    return status, html


def test_while_redis_restarts_children_get_a_kind_page_and_then_the_site_carries_on(tmp_path):
    port = free_port()
    server = redis(port, tmp_path)
    site = start_live_site(tmp_path / "site", REDIS_URL=f"redis://127.0.0.1:{port}/0")
    try:
        child = Browser(site.url).log_in("demo-child", DEMO_PASSWORD)
        assert post_help(child)[0] == 200
        server.terminate()
        server.wait(timeout=10)
        status, html = post_help(child)
        assert status == 503, html[:500]
        assert "try again in a minute" in html and "0800 1111" in html
        assert "Traceback" not in html
        server = redis(port, tmp_path)
        status, html = post_help(child)  # the same Daphne process, not restarted
        assert status == 200 and "Thank you for asking" in html
    finally:
        site.stop()
        server.terminate()
        server.wait(timeout=10)
