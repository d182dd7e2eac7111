"""Real Chromium, two people: a child asks for a bubble, a mentor accepts, they talk."""

import re

from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import log_in


def test_a_child_and_a_mentor_talk_in_a_bubble_and_swearing_is_blocked(new_context):
    child = new_context().new_page()
    mentor = new_context().new_page()
    log_in(child, "demo-child", DEMO_PASSWORD)
    log_in(mentor, "demo-mentor", DEMO_PASSWORD)
    expect(mentor.get_by_role("heading", name="Children waiting to talk")).to_be_visible()

    child.get_by_role("button", name="Talk to a MiniMentor").click()
    expect(child.get_by_text("finding a MiniMentor for you")).to_be_visible()

    # The request arrives live on the mentor's lobby.
    waiting = mentor.locator(".queue-item", has_text="demo-child is waiting")
    waiting.get_by_role("button", name="Accept").click()
    expect(mentor).to_have_url(re.compile(r"/chat/bubbles/\d+/$"))
    # The child's page moves to the bubble by itself.
    expect(child).to_have_url(mentor.url, timeout=15_000)

    for page in (child, mentor):
        expect(page.get_by_role("log", name="Bubble chat")).to_be_visible()
        expect(page.get_by_text("staff can read chats to keep everyone safe")).to_be_visible()
        expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    expect(mentor.get_by_role("button", name="Raise a concern")).to_be_visible()

    child.get_by_label("Message").fill("hi, I had a bad day")
    child.get_by_label("Message").press("Enter")  # works by keyboard
    expect(mentor.get_by_role("log")).to_contain_text("hi, I had a bad day")

    mentor.get_by_label("Message").fill("I'm sorry to hear that. Want to tell me about it?")
    mentor.get_by_role("button", name="Send").click()
    expect(child.get_by_role("log")).to_contain_text("Want to tell me about it?")

    child.get_by_label("Message").fill("this is shit")
    child.get_by_role("button", name="Send").click()
    expect(mentor.get_by_role("log")).to_contain_text("*blocked*")
    expect(child.get_by_role("log")).to_contain_text("*blocked*")
    expect(child.get_by_text("it had a rude word")).to_be_visible()
    expect(mentor.get_by_role("log")).not_to_contain_text("this is shit")

    child.get_by_role("button", name="End this chat").click()
    expect(child.get_by_text("This chat has ended.").first).to_be_visible()


def test_a_child_can_report_a_message_in_the_general_room(new_context):
    child = new_context().new_page()
    other = new_context().new_page()
    log_in(child, "demo-child2", DEMO_PASSWORD)
    log_in(other, "demo-mentor", DEMO_PASSWORD)
    for page in (child, other):
        page.goto("/chat/rooms/general/")
        expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    other.get_by_label("Message").fill("hello from the general room")
    other.get_by_role("button", name="Send").click()
    line = child.get_by_role("log", name="General chat").locator(
        "li", has_text="hello from the general room"
    )
    line.last.get_by_role("button", name="Report").click()
    child.get_by_label("What was wrong?").fill("just checking reports work")
    child.get_by_role("button", name="Send report").click()
    expect(child.get_by_text("Thank you for telling us")).to_be_visible()
