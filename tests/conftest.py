"""Fixtures shared by every test: members of each role, a school, and a real running site."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from minimentors.models import AgeGroup, School, User
from minimentors.roles import Role
from minimentors.services import member_add
from tests.services import free_port, wait_for_port

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "test-pass-8271"
DEMO_PASSWORD = "bright-kite-47"
MEMBER_PASSWORD = "sunny-badger-58"  # accounts a test adds to a live site


def _flush_past_the_audit_guard() -> None:
    """Transactional tests empty the database between tests (``flush``); the audit log's
    triggers refuse that like any other delete, so the flush runs as the retention job does."""
    from django.db import transaction
    from django.db.backends.base.operations import BaseDatabaseOperations

    from minimentors.audit_guard import retention_deletes_allowed

    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        alias = self.connection.alias
        with transaction.atomic(using=alias), retention_deletes_allowed(alias):
            flush(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]


_flush_past_the_audit_guard()


def fresh_letters(*prefixes: str) -> str:
    """Six random letters for fresh usernames ("kid-" + letters): names refuse long numbers,
    and moderation reads every username, so letters are drawn again until each name made
    with them is one the site accepts (random letters can spell something it refuses)."""
    import random
    import string

    from moderation.engine import review

    while True:
        letters = "".join(random.choices(string.ascii_lowercase, k=6))
        names = [f"{prefix}{letters}" for prefix in prefixes]
        if all(review(name, "username").action == "allow" for name in names):
            return letters


@pytest.fixture
def one_window(monkeypatch):
    """Hold ``minimentors.throttle``'s clock still: it counts tries in fixed windows (a minute,
    an hour, 15 minutes), and a test that counts several must not see a window end between
    two of them (the sign-up pause test once failed on a clone tested at 10:45:00). Only the
    throttle's clock: everything else keeps the real time."""
    from types import SimpleNamespace

    from minimentors import throttle

    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: 1_800_000_100.0))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with empty rate-limit windows and tries counts (in Redis, or process
    memory)."""
    from chat import ratelimit
    from minimentors import throttle

    ratelimit.reset()
    throttle.reset()
    yield
    ratelimit.reset()
    throttle.reset()


@pytest.fixture
def school(db) -> School:
    return School.objects.create(
        name="Hilltop Primary",
        area="Leeds",
        join_code="HILL2345",
        lead_teacher_name="Ms Patel",
        safeguarding_lead_name="Mr Jones",
        safeguarding_lead_email="dsl@example.org",
    )


@pytest.fixture
def make_member(db, school):
    """make_member("child", "amy") creates an account with that role."""

    def make(role: str, username: str) -> User:
        is_member = role in (Role.CHILD, Role.MENTOR)
        return member_add(
            username=username,
            password=PASSWORD,
            role=role,
            school=school if is_member else None,
            age_group=AgeGroup.AGE_11_13 if is_member else "",
        )

    return make


@pytest.fixture
def child(make_member) -> User:
    return make_member(Role.CHILD, "amy")


@pytest.fixture
def other_child(make_member) -> User:
    return make_member(Role.CHILD, "ben")


@pytest.fixture
def mentor(make_member) -> User:
    return make_member(Role.MENTOR, "mia-mentor")


@pytest.fixture
def counsellor(make_member) -> User:
    return make_member(Role.COUNSELLOR, "carol-counsellor")


@pytest.fixture
def moderator(make_member) -> User:
    return make_member(Role.MODERATOR, "max-moderator")


@pytest.fixture
def safeguarding_user(make_member) -> User:
    return make_member(Role.SAFEGUARDING, "sam-safeguarding")


@pytest.fixture
def general_room(db):
    """The general chat room (a data migration makes it, but transactional tests flush it).
    ``db`` follows the test's mark, so transactional tests get a transactional database."""
    from chat.models import Room

    room, _ = Room.objects.get_or_create(
        slug="general", defaults={"kind": Room.Kind.GENERAL, "name": "General"}
    )
    return room


def site_environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real site started by a test: its own var/ folder (SQLite file,
    Celery folders), always open unless the test says otherwise."""
    env = {
        **os.environ,
        "MINIMENTORS_ENV": "development",
        "DJANGO_DEBUG": "0",
        "MINIMENTORS_VAR_DIR": str(var_dir),
        "OPENING_HOURS": "00:00-24:00",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


class LiveSite:
    """A real Daphne process on 127.0.0.1 serving a migrated, seeded site."""

    def __init__(self, var_dir: Path, env: dict[str, str], port: int | None = None) -> None:
        self.var_dir = var_dir
        self.env = env
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )

    def add_member(self, username: str, role: str = "child") -> int:
        """A fresh account on this site (password ``MEMBER_PASSWORD``), for tests that would
        upset others by locking out or blocking a demo account. Returns its id."""
        school = ["--school", "Demo School", "--age-group", "11-13"]
        subprocess.run(
            [sys.executable, "manage.py", "add_member", username, "--role", role,
             *(school if role in ("child", "mentor") else [])],
            cwd=REPO, env={**self.env, "MINIMENTORS_PASSWORD": MEMBER_PASSWORD},
            check=True, capture_output=True,
        )  # fmt: skip
        found = self.manage(
            "shell", "-c",
            "from minimentors.models import User; "
            f"print(User.objects.get(username='{username}').pk)",
        )  # fmt: skip
        return int(found.stdout.strip().splitlines()[-1])

    def start(self) -> LiveSite:
        log = open(self.var_dir / f"daphne-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "minimentors.serve", "-b", "127.0.0.1", "-p", str(self.port),
             "minimentors.asgi:application"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_live_site(var_dir: Path, **extra_env: str) -> LiveSite:
    var_dir.mkdir(parents=True, exist_ok=True)
    site = LiveSite(var_dir, site_environment(var_dir, **extra_env))
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage("seed_demo")
    return site.start()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> Iterator[LiveSite]:
    """One seeded site for the session (demo accounts, password ``DEMO_PASSWORD``)."""
    site = start_live_site(tmp_path_factory.mktemp("live-site"))
    yield site
    site.stop()
