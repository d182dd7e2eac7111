"""The chat at scale, on real PostgreSQL and Redis (``python -m tests.services pytest -m
scale`` sets DATABASE_URL and REDIS_URL): two Daphne processes serve one room, and exactly one
of two mentors racing to accept a bubble request wins."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connections

from chat import bubbles, services
from chat.models import BubbleRequest, Room
from minimentors.roles import Role
from tests.chat.live import Browser, find, next_frame
from tests.conftest import DEMO_PASSWORD, REPO, LiveSite, site_environment, start_live_site

pytestmark = [pytest.mark.scale, pytest.mark.server]


def fresh_database_url() -> str:
    """A new, empty database on the throwaway PostgreSQL cluster."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"chat_scale_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> Iterator[tuple[LiveSite, LiveSite]]:
    env = {
        "DATABASE_URL": fresh_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "MENTOR_MAX_BUBBLES": "50",
    }
    first = start_live_site(tmp_path_factory.mktemp("site-a"), **env)
    second_dir = tmp_path_factory.mktemp("site-b")
    second = LiveSite(second_dir, site_environment(second_dir, **env)).start()
    subprocess.run(
        [sys.executable, "manage.py", "add_member", "demo-mentor2", "--role", "mentor",
         "--school", "Demo School", "--age-group", "14-16"],
        cwd=REPO, env={**first.env, "MINIMENTORS_PASSWORD": DEMO_PASSWORD}, check=True,
        capture_output=True,
    )  # fmt: skip
    yield first, second
    first.stop()
    second.stop()


async def test_a_message_sent_through_one_process_reaches_a_client_of_the_other(two_sites):
    first, second = two_sites
    child = Browser(first.url).log_in("demo-child", DEMO_PASSWORD)
    mentor = Browser(second.url).log_in("demo-mentor", DEMO_PASSWORD)
    async with (
        child.websocket("/ws/rooms/general/") as amy,
        mentor.websocket("/ws/rooms/general/") as mia,
    ):
        await amy.send('{"type": "message", "text": "hello across processes", "client_id": "x1"}')
        mine, theirs = await next_frame(amy), await next_frame(mia)
        assert theirs["text"] == "hello across processes" and theirs["id"] == mine["id"]
        assert mine["client_id"] == "x1" and "client_id" not in theirs


def test_exactly_one_of_two_mentors_on_two_processes_wins_each_request(two_sites):
    first, second = two_sites
    child = Browser(first.url).log_in("demo-child2", DEMO_PASSWORD)
    mentors = [
        Browser(first.url).log_in("demo-mentor", DEMO_PASSWORD),
        Browser(second.url).log_in("demo-mentor2", DEMO_PASSWORD),
    ]
    for _ in range(8):
        child.post("/chat/bubbles/request/")
        request_id = find(r'data-request-id="(\d+)"', mentors[0].get("/chat/")[2])
        start = threading.Barrier(2)

        def accept(browser: Browser, request_id: str = request_id, start=start) -> str:
            start.wait()
            return browser.post(f"/chat/bubbles/requests/{request_id}/accept/")[1]

        with ThreadPoolExecutor(2) as pool:
            landed = list(pool.map(accept, mentors))
        winners = [url for url in landed if "/chat/bubbles/" in url]
        assert len(winners) == 1, landed
        bubble_id = find(r"/chat/bubbles/(\d+)/$", winners[0])
        child.post(f"/chat/bubbles/{bubble_id}/end/")


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_many_threads_accepting_at_once_wins_on_postgresql(child, make_member):
    assert connections["default"].vendor == "postgresql"
    mentors = [make_member(Role.MENTOR, f"racer{number}") for number in range(6)]
    request = bubbles.bubble_request_create(child=child)
    start = threading.Barrier(len(mentors))

    def accept(mentor) -> str:
        try:
            start.wait()
            bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
            return "won"
        except services.ChatError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(mentors)) as pool:
        outcomes = list(pool.map(accept, mentors))
    assert sorted(outcomes) == ["taken"] * 5 + ["won"]
    assert Room.objects.filter(kind="bubble").count() == 1
    assert BubbleRequest.objects.get().status == "accepted"
