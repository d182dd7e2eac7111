"""The Safeguarding Team in real Chromium: a member opens a case a counsellor escalated,
records a meeting and a referral to the school with "child told first", and exports a
transcript after a second member approves; the PDF opens and names the request."""

from __future__ import annotations

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import DEMO_PASSWORD, MEMBER_PASSWORD, fresh_letters
from tests.e2e.conftest import log_in

ESCALATE = """
from counselling import services
from chat import bubbles
from chat import services as chat
from minimentors.models import User
child = User.objects.get(username='{child}')
counsellor = User.objects.get(username='demo-counsellor')
mentor = User.objects.get(username='{mentor}')
request = bubbles.bubble_request_create(child=child)
room = bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
chat.post_message(author=child, room=room, text='my stepdad shouts at me every night')
note = services.note_write(author=counsellor, child=child, category='hurt_at_home',
    what_happened='Scared of her stepdad.', decision='Tell the team.')
services.escalate_to_safeguarding(counsellor=counsellor, child=child, note_ids=[note.pk],
    concern_ids=[], reason='Possible harm at home.')
"""


def test_a_case_gets_a_meeting_a_referral_and_an_approved_transcript_export(
    new_context, live_site, tmp_path
):
    letters = fresh_letters("kid-", "mentor-", "team-")
    child, mentor, second = f"kid-{letters}", f"mentor-{letters}", f"team-{letters}"
    live_site.add_member(child, "child")
    live_site.add_member(mentor, "mentor")
    live_site.add_member(second, "safeguarding")
    live_site.manage("shell", "-c", ESCALATE.format(child=child, mentor=mentor))

    team = new_context().new_page()
    log_in(team, "demo-safeguarding", DEMO_PASSWORD)
    team.goto("/admin/safeguarding/case/")
    team.get_by_role("row").filter(has_text=child).get_by_role("link").first.click()
    expect(team.get_by_text("Scared of her stepdad.")).to_be_visible()

    team.get_by_role("link", name="Record a meeting").click()
    team.get_by_label("Attendees").fill("Sam (DSL), Carol (counsellor)")
    team.get_by_label("Minutes").fill("Discussed what the child told her mentor.")
    team.get_by_label("Decision").fill("Refer to the school's safeguarding lead today.")
    team.get_by_role("button", name="Save", exact=True).click()
    expect(
        team.get_by_text("Meeting: Refer to the school's safeguarding lead today.")
    ).to_be_visible()

    team.get_by_role("link", name="Record a referral").click()
    team.get_by_label("To:").select_option(label="The child's school")
    team.get_by_label("Method").select_option(label="Phone")
    team.get_by_label("Child told first").select_option(label="Yes, the child was told first")
    team.get_by_role("button", name="Save", exact=True).click()
    expect(team.get_by_text("child told first: Yes, the child was told first")).to_be_visible()

    team.get_by_role("link", name="Record a transcript request").click()
    team.get_by_label("Requested by").select_option(label="Police")
    team.get_by_label("Request reference").fill(f"POL-{letters}")
    team.get_by_label("Date from").fill("2020-01-01")
    team.get_by_label("Date to").fill("2030-12-31")
    team.get_by_label("Why").fill("Police inquiry into harm at home.")
    team.get_by_label("Basis").select_option(label="Legal obligation")
    team.get_by_role("button", name="Save", exact=True).click()

    approver = new_context().new_page()
    log_in(approver, second, MEMBER_PASSWORD)
    approver.goto("/admin/safeguarding/transcriptexport/")
    approver.get_by_role("row").filter(has_text=f"POL-{letters}").get_by_role("checkbox").check()
    approver.locator("select[name=action]").select_option(label="Approve (a second team member)")
    approver.get_by_role("button", name="Go").click()
    expect(approver.get_by_text("approved.")).to_be_visible()

    team.goto("/admin/safeguarding/transcriptexport/")
    team.get_by_role("link", name=f"Transcript export POL-{letters}", exact=False).first.click()
    team.get_by_role("link", name="Produce the PDF").click()
    team.get_by_label("Who the transcript is going to").fill("DC Smith, county police")
    team.get_by_role("button", name="Produce the PDF").click()
    with team.expect_download() as download:
        team.get_by_role("link", name="Download the PDF").click()
    pdf = tmp_path / "transcript.pdf"
    download.value.save_as(pdf)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert f"POL-{letters}" in text and "Police" in text
    assert "my stepdad shouts at me every night" in text
    assert mentor not in text  # another child's username is hidden
