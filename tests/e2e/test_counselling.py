"""The chain of care in real Chromium against a real Daphne: a mentor raises a concern in a
bubble; a counsellor's open dashboard shows it without a reload; the counsellor opens the
child's chronology, saves a note, offers weekly chats (the child's open lobby shows the offer
live) and tells the Safeguarding Team; the case is there for the team in admin."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.chat.live import fresh_bubble as live_fresh_bubble
from tests.conftest import DEMO_PASSWORD, MEMBER_PASSWORD
from tests.e2e.conftest import log_in


def fresh_bubble(site) -> tuple[str, str, int]:
    child_name, mentor_name, _, bubble_id = live_fresh_bubble(site)
    return child_name, mentor_name, bubble_id


def test_a_concern_travels_from_a_mentor_to_a_counsellor_and_on_to_safeguarding(
    new_context, live_site
):
    child_name, mentor_name, bubble_id = fresh_bubble(live_site)
    counsellor = new_context().new_page()
    log_in(counsellor, "demo-counsellor", DEMO_PASSWORD)
    counsellor.goto("/counselling/")
    expect(counsellor.get_by_role("heading", name="Counsellor dashboard")).to_be_visible()
    expect(counsellor.get_by_text("Live updates are on.")).to_be_visible()
    counsellor.evaluate("window.__not_reloaded = true")

    mentor = new_context().new_page()
    log_in(mentor, mentor_name, MEMBER_PASSWORD)
    mentor.goto(f"/chat/bubbles/{bubble_id}/")
    mentor.get_by_role("button", name="Raise a concern").click()
    mentor.get_by_role("group", name="What worries you").get_by_label("Hurt at home").check()
    mentor.get_by_label("Tell us more").fill("She says her stepdad shouts and she is scared.")
    mentor.get_by_role("button", name="Send to a counsellor").click()
    expect(mentor.get_by_text("A counsellor has it now")).to_be_visible()

    concerns = counsellor.get_by_role("region", name="Concerns")
    card = concerns.get_by_role("listitem").filter(has_text=child_name)
    expect(card).to_contain_text("Hurt at home")
    expect(card).to_contain_text("scared")
    assert counsellor.evaluate("window.__not_reloaded") is True

    child = new_context().new_page()
    log_in(child, child_name, MEMBER_PASSWORD)
    child.goto("/chat/")
    child.evaluate("window.__not_reloaded = true")

    card.get_by_role("link", name=child_name).click()
    expect(counsellor.get_by_role("heading", name=child_name, level=1)).to_be_visible()
    chronology = counsellor.get_by_role("list", name="Chronology")
    expect(chronology).to_contain_text("Hurt at home")
    counsellor.get_by_label("What happened").fill("Told her mentor her stepdad shouts.")
    counsellor.get_by_label("Decision").fill("Offer weekly chats and tell the team.")
    counsellor.get_by_role("button", name="Save note").click()
    expect(chronology).to_contain_text("Told her mentor her stepdad shouts.")

    counsellor.get_by_label(re.compile(r"^\s*Day\W*$")).select_option(label="Tuesday")
    counsellor.get_by_label(re.compile(r"^\s*Time\W*$")).fill("16:00")
    counsellor.get_by_role("button", name="Offer weekly chats").click()
    expect(child.get_by_role("button", name="Yes please")).to_be_visible()
    expect(child.get_by_role("button", name="No thanks")).to_be_visible()
    assert child.evaluate("window.__not_reloaded") is True

    counsellor.get_by_label("Why the Safeguarding Team needs to know").fill(
        "Possible harm at home."
    )
    counsellor.get_by_role("button", name="Tell the Safeguarding Team").click()
    expect(counsellor.get_by_text("The Safeguarding Team has been told.")).to_be_visible()
    expect(counsellor.get_by_text("Safeguarding case: new")).to_be_visible()

    team = new_context().new_page()
    log_in(team, "demo-safeguarding", DEMO_PASSWORD)
    team.goto("/admin/safeguarding/case/")
    row = team.get_by_role("row").filter(has_text=child_name)
    expect(row).to_contain_text("New")
    row.get_by_role("link").first.click()
    expect(team.get_by_text("Told her mentor her stepdad shouts.")).to_be_visible()
