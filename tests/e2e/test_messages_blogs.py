"""Blogs and private messages in real Chromium against a real Daphne: a child writes a post,
a moderator approves a held one and it appears on /blogs/; a child and their mentor exchange
private messages live."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD, MEMBER_PASSWORD, fresh_letters
from tests.e2e.conftest import log_in
from tests.e2e.test_counselling import fresh_bubble


def test_a_post_published_and_a_held_post_approved_by_a_moderator(new_context, live_site):
    name = "kid-" + fresh_letters("kid-")
    live_site.add_member(name, "child")
    child = new_context().new_page()
    log_in(child, name, MEMBER_PASSWORD)
    child.goto("/blogs/")
    expect(child.get_by_role("heading", name="Blogs", level=1)).to_be_visible()
    child.get_by_role("link", name="Write a post").click()
    child.get_by_label("Title").fill(f"My hamster {name}")
    child.get_by_label("Post", exact=True).fill("She learned to climb the ladder today!")
    child.get_by_role("button", name="Publish").click()
    expect(child.get_by_role("heading", name=f"My hamster {name}")).to_be_visible()

    child.goto("/blogs/new/")
    child.get_by_label("Title").fill(f"Crush {name}")
    child.get_by_label("Post", exact=True).fill("he is so sexy lol")
    child.get_by_role("button", name="Publish").click()
    expect(child.get_by_text("will read this before anyone else sees it")).to_be_visible()
    expect(child.get_by_role("list", name="Posts")).not_to_contain_text(f"Crush {name}")

    moderator = new_context().new_page()
    log_in(moderator, "demo-moderator", DEMO_PASSWORD)
    moderator.goto("/moderation/")
    card = moderator.locator("article, .card").filter(has_text=f"Crush {name}").first
    card.get_by_role("button", name="Approve").click()

    child.goto("/blogs/")
    posts = child.get_by_role("list", name="Posts")
    expect(posts).to_contain_text(f"Crush {name}")
    expect(posts).to_contain_text(f"My hamster {name}")


def test_a_child_and_their_mentor_exchange_messages_live(new_context, live_site):
    child_name, mentor_name, _ = fresh_bubble(live_site)
    child = new_context().new_page()
    log_in(child, child_name, MEMBER_PASSWORD)
    child.goto("/messages/")
    expect(child.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    child.get_by_label("Who to write to").select_option(label=mentor_name)
    child.get_by_role("button", name="Write a message").click()
    thread_url = child.url

    mentor = new_context().new_page()
    log_in(mentor, mentor_name, MEMBER_PASSWORD)
    mentor.goto(thread_url)
    mentor_log = mentor.get_by_role("log")
    child_log = child.get_by_role("log")
    expect(child.get_by_text("Connected", exact=False).first).to_be_visible()
    expect(mentor.get_by_text("Connected", exact=False).first).to_be_visible()

    child.get_by_label("Message", exact=True).fill("thank you for listening yesterday")
    child.get_by_role("button", name="Send").click()
    expect(mentor_log).to_contain_text("thank you for listening yesterday")
    mentor.get_by_label("Message", exact=True).fill("any time, how was school today?")
    mentor.get_by_role("button", name="Send").click()
    expect(child_log).to_contain_text("any time, how was school today?")
