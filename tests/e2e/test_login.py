"""A real browser logs in by the contract's accessible names."""

import re

from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD, MEMBER_PASSWORD
from tests.e2e.conftest import log_in


def test_demo_child_logs_in_and_sees_the_lobby(page):
    log_in(page, "demo-child", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/chat/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat")
    expect(page.get_by_role("status").first).to_contain_text("MiniMentors are here")


def test_a_wrong_password_shows_a_kind_error(page):
    log_in(page, "demo-child2", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_text("That username and password don't match")).to_be_visible()


def test_repeated_failures_are_throttled(page, live_site):
    # A fresh account: a locked demo account would upset the other tests on this site.
    live_site.add_member("locked-out-kid")
    for _ in range(5):
        log_in(page, "locked-out-kid", "wrong-password-again")
    log_in(page, "locked-out-kid", MEMBER_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Let's take a short break")
    expect(page.get_by_role("alert")).to_contain_text("wait 15 minutes")
