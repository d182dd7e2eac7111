"""Talking to a real running site like a browser does: log in through the form (cookie jar,
CSRF token), post forms, and open websockets with the session cookie and an Origin header."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.request
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect


class Browser:
    """One logged-in person on one site (``base`` like http://127.0.0.1:8000)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=15) as response:
            return response.status, response.geturl(), response.read().decode()

    def post(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        if not self.cookie("csrftoken"):
            self.get("/accounts/login/")
        fields = {**(data or {}), "csrfmiddlewaretoken": self.cookie("csrftoken")}
        request = urllib.request.Request(
            self.base + path,
            data=urlencode(fields).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=15) as response:
            return response.status, response.geturl(), response.read().decode()

    def log_in(self, username: str, password: str) -> Browser:
        self.get("/accounts/login/")
        _, landed, _ = self.post("/accounts/login/", {"username": username, "password": password})
        if not landed.endswith("/chat/"):
            raise AssertionError(f"{username} could not log in (landed on {landed})")
        return self

    def websocket(self, path: str, *, origin: str | None = None) -> connect:
        ws_base = self.base.replace("http://", "ws://")
        headers = {}
        session = self.cookie("sessionid")
        if session:
            headers["Cookie"] = f"sessionid={session}"
        return connect(
            ws_base + path,
            origin=origin or self.base,
            additional_headers=headers,
            open_timeout=10,
        )


async def next_frame(socket: ClientConnection, *, skip=("presence",), timeout=5.0) -> dict:
    import asyncio

    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] not in skip:
            return frame


def find(pattern: str, html: str) -> str:
    match = re.search(pattern, html)
    if match is None:
        raise AssertionError(f"{pattern!r} not found on the page")
    return match.group(1)


def fresh_bubble(site) -> tuple[str, str, Browser, int]:
    """A fresh child asks for a bubble and a fresh mentor accepts it, over real HTTP, on a
    live site. Returns the child's and the mentor's names, the child's browser, the bubble."""
    from tests.conftest import MEMBER_PASSWORD, fresh_letters

    letters = fresh_letters("kid-", "mentor-")
    child_name, mentor_name = f"kid-{letters}", f"mentor-{letters}"
    site.add_member(child_name, "child")
    site.add_member(mentor_name, "mentor")
    child = Browser(site.url).log_in(child_name, MEMBER_PASSWORD)
    mentor = Browser(site.url).log_in(mentor_name, MEMBER_PASSWORD)
    child.post("/chat/bubbles/request/")
    waiting = re.findall(r'data-request-id="(\d+)"', mentor.get("/chat/")[2])
    request_id = max(int(number) for number in waiting)  # the newest request is this child's
    _, landed, _ = mentor.post(f"/chat/bubbles/requests/{request_id}/accept/")
    return child_name, mentor_name, child, int(find(r"/chat/bubbles/(\d+)/$", landed))


TAG_WORDS = ("otter", "badger", "puffin", "heron", "maple", "willow", "comet", "pebble",
             "lantern", "meadow", "acorn", "harbour")  # fmt: skip


def message_tag() -> str:
    """A tag that tells a test's messages apart and reads as plain words to the filter (a
    random mix of letters and digits can look like a handle or a rude word). Three different
    words: one word three times ("pebble-pebble-pebble"), in several messages in a row, is a
    flood that the filter rightly hides."""
    import random

    return "-".join(random.sample(TAG_WORDS, k=3))
