"""No text a member or staff member types ever runs as code, on any page that shows it, in
real Chromium: 50 payloads through every text input (chat, bubbles, private messages, blog
posts and comments, help, reports, appeals, concerns, counsellors' notes), viewed by members
and on every staff page, admin included. The strict CSP would stop inline code anyway; this
checks the escaping itself: no payload becomes an element, and none runs."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.conftest import DEMO_PASSWORD, MEMBER_PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.test_counselling import fresh_bubble

TEMPLATES = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "'><body onload=window.__xss=1>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<a href="javascript:window.__xss=1">tap</a>',
    '<details open ontoggle="window.__xss=1">x</details>',
    "</textarea><script>window.__xss=1</script>",
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
    "{{ 7|add:7 }}{% now 'Y' %}<b>bold</b>",
]
PAYLOADS = [f"{prefix}{template}" for template in TEMPLATES
            for prefix in ("", "hi ", "look: ", "ok ", "and ")]  # fmt: skip
INJECTED = "img[src='x'], svg[onload], iframe[srcdoc], details[ontoggle], a[href^='javascript'], b"

WRITE = """
import json
from chat import services as chat, messaging, blogs
from chat.models import Room
from counselling import services as counselling
from minimentors.models import User
from moderation.services import appeal_submit, report_submit
payloads = json.loads({payloads!r})
child = User.objects.get(username={child!r})
mentor = User.objects.get(username={mentor!r})
counsellor = User.objects.get(username="demo-counsellor")
general = Room.objects.get(slug="general")
bubble = Room.objects.get(pk={bubble})
chat.room_join(user=child, room=general)
thread = messaging.thread_open(member=child, partner_name=mentor.username)
post, _ = blogs.blog_post_create(author=child, title="XSS check", body="safe body")
for n, text in enumerate(payloads):
    room = (general, bubble, thread)[n % 3]
    try:
        chat.post_message(author=child, room=room, text=text)
    except chat.ChatError:
        pass
    try:
        blogs.blog_comment_create(author=mentor, post=post, text=text)
    except blogs.BlogRefused:
        pass
    report_submit(reporter=child, words=text)
    if n % 5 == 0:
        appeal_submit(member=child, words=text)
        counselling.concern_raise(raised_by=mentor, room=bubble, category="other", words=text)
        counselling.note_write(author=counsellor, child=child, category="other",
                               what_happened=text, decision=text)
        try:
            blogs.blog_post_create(author=child, title=text[:100], body=text)
        except blogs.BlogRefused:
            pass
print(json.dumps({{"thread": thread.pk, "post": post.pk}}))
"""


def assert_nothing_ran(page: Page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__xss === undefined"), path
    assert page.locator(INJECTED).filter(has_text="bold").count() == 0, path
    injected = page.evaluate(
        "sel => Array.from(document.querySelectorAll(sel))"
        ".filter(e => !e.closest('nav, header, footer, .navbar')).length",
        "img[src='x'], svg[onload], iframe[srcdoc], details[ontoggle], a[href^='javascript']",
    )
    assert injected == 0, path


def test_fifty_payloads_through_every_input_never_run_on_any_page(new_context, live_site):
    import json

    assert len(PAYLOADS) == 50
    child_name, mentor_name, bubble = fresh_bubble(live_site)
    script = WRITE.format(
        payloads=json.dumps(PAYLOADS), child=child_name, mentor=mentor_name, bubble=bubble
    )
    out = live_site.manage("shell", "-c", script)
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    dialogs: list[str] = []

    def page_for(username: str, password: str) -> Page:
        page = new_context().new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, username, password)
        return page

    child = page_for(child_name, MEMBER_PASSWORD)
    member_pages = (
        "/chat/rooms/general/", f"/chat/bubbles/{bubble}/", f"/messages/{ids['thread']}/",
        "/messages/", "/blogs/", f"/blogs/{ids['post']}/", "/moderation/my-reports/",
    )  # fmt: skip
    for path in member_pages:
        assert_nothing_ran(child, path)
    mentor = page_for(mentor_name, MEMBER_PASSWORD)
    assert_nothing_ran(mentor, f"/chat/bubbles/{bubble}/")
    moderator = page_for("demo-moderator", DEMO_PASSWORD)
    for path in ("/moderation/", "/admin/chat/message/", "/admin/moderation/alert/",
                 f"/messages/{ids['thread']}/"):  # fmt: skip
        assert_nothing_ran(moderator, path)
    counsellor = page_for("demo-counsellor", DEMO_PASSWORD)
    for path in ("/counselling/", f"/counselling/children/{child_name}/",
                 f"/counselling/children/{child_name}/rooms/{bubble}/"):  # fmt: skip
        assert_nothing_ran(counsellor, path)
    team = page_for("demo-safeguarding", DEMO_PASSWORD)
    for path in ("/admin/chat/message/", "/admin/minimentors/auditentry/"):
        assert_nothing_ran(team, path)
    assert dialogs == []
