"""Counselling pages: only counsellors reach /counselling/; everyone else 403, anonymous
visitors the login page, a child who does not exist 404. And every text a member types into
help, a report or an appeal reaches a counsellor's socket when it is a cry for help."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import get_resolver

from counselling import services
from counselling.models import ConcernNote
from minimentors.asgi import application
from minimentors.models import AuditEntry
from minimentors.roles import Role
from tests.channel_helpers import member_headers

NOTE = {
    "category": "very_upset", "what_happened": "Cried about exams.", "decision": "Check in Friday.",
}  # fmt: skip


@pytest.fixture
def world(db, child, mentor, counsellor, moderator, safeguarding_user, bubble, general_room):
    note = services.note_write(author=counsellor, child=child, **NOTE)
    concern = services.concern_raise(raised_by=mentor, room=bubble, category="other", words="")
    return {"note": note, "concern": concern, "bubble": bubble}


def counselling_paths(world, child) -> dict[str, tuple[str, str]]:
    """Every URL of /counselling/ (from the resolver: a new one without a row fails), with the
    method a counsellor uses on it."""
    name = child.username
    rows = {
        "": ("GET", "/counselling/"),
        "concerns/<int:concern_id>/<slug:step>/": (
            "POST", f"/counselling/concerns/{world['concern'].pk}/pick_up/"),
        "children/<str:username>/": ("GET", f"/counselling/children/{name}/"),
        "children/<str:username>/notes/": ("POST", f"/counselling/children/{name}/notes/"),
        "children/<str:username>/offer/": ("POST", f"/counselling/children/{name}/offer/"),
        "children/<str:username>/escalate/": ("POST", f"/counselling/children/{name}/escalate/"),
        "children/<str:username>/rooms/<int:room_id>/": (
            "GET", f"/counselling/children/{name}/rooms/{world['bubble'].pk}/"),
        "notes/<int:note_id>/edit/": ("GET", f"/counselling/notes/{world['note'].pk}/edit/"),
        "notes/<int:note_id>/amend/": ("POST", f"/counselling/notes/{world['note'].pk}/amend/"),
    }  # fmt: skip
    resolver = get_resolver()
    [included] = [p for p in resolver.url_patterns if str(p.pattern) == "counselling/"]
    assert {str(p.pattern) for p in included.url_patterns} == set(rows)
    return rows


def test_every_counselling_url_is_for_counsellors_only(world, client, child, make_member):
    paths = counselling_paths(world, child)
    for method, path in paths.values():
        response = client.generic(method, path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
    others = [make_member(role, f"x-{role}") for role in
              (Role.CHILD, Role.MENTOR, Role.MODERATOR, Role.SAFEGUARDING)]  # fmt: skip
    for person in others:
        client.force_login(person)
        for method, path in paths.values():
            assert client.generic(method, path).status_code == 403, (person, path)
    client.force_login(world["note"].author)
    for method, path in paths.values():
        expected = 200 if method == "GET" else 302
        assert client.generic(method, path).status_code == expected, path
    assert client.get("/counselling/children/nobody-at-all/").status_code == 404


def test_the_chronology_page_has_the_contracts_names_and_audits_the_read(
    world, client, child, counsellor
):
    client.force_login(counsellor)
    html = client.get(f"/counselling/children/{child.username}/").content.decode()
    assert f"<h1>{child.username}</h1>" in html and 'aria-label="Chronology"' in html
    for name in ("What happened", "Decision"):
        assert f">{name}" in html
    for button in ("Save note", "Offer weekly chats", "Tell the Safeguarding Team"):
        assert f">{button}</button>" in html
    read = AuditEntry.objects.get(action="counselling.chronology_read")
    assert read.detail["notes"] == [world["note"].pk] and read.actor == counsellor


def test_saving_a_note_from_the_page(world, client, child, counsellor):
    client.force_login(counsellor)
    client.post(f"/counselling/children/{child.username}/notes/", {
        "category": "bullying", "what_happened": "Names at school.", "decision": "Watch.",
    })  # fmt: skip
    assert ConcernNote.objects.filter(child=child, category="bullying").exists()


def test_a_break_glass_read_without_a_reason_is_refused(world, client, child, make_member):
    stranger = make_member(Role.COUNSELLOR, "cal-counsellor")
    services.concern_transition(concern=world["concern"], step="close", actor=stranger)
    client.force_login(stranger)
    page = client.get(f"/counselling/children/{child.username}/")
    assert "Say why first" in page.content.decode()
    assert "Cried about exams" not in page.content.decode()
    refused = client.post(f"/counselling/children/{child.username}/", {"reason": ""})
    assert refused.status_code == 400 and "Cried about exams" not in refused.content.decode()
    opened = client.post(
        f"/counselling/children/{child.username}/", {"reason": "Covering for Carol today."},
        follow=True,
    )  # fmt: skip
    assert "Cried about exams" in opened.content.decode()


WORDS = "I want to kill myself tonight"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "field"),
    [("/chat/help/", "words"), ("/moderation/report/", "words"), ("/moderation/appeal/", "words")],
)
async def test_a_cry_for_help_typed_into_help_report_or_appeal_reaches_a_counsellors_socket(
    child, counsellor, path, field
):
    socket = WebsocketCommunicator(
        application, "/ws/staff/alerts/", headers=await member_headers(counsellor)
    )
    assert (await socket.connect())[0]

    def post() -> int:
        browser = Client()
        browser.force_login(child)
        return browser.post(path, {field: WORDS}).status_code

    assert await sync_to_async(post)() in (200, 302)
    frame = await socket.receive_json_from(timeout=5)
    assert frame["type"] == "alert" and "self_harm" in frame["categories"]
    assert frame["severity"] == 3 and frame["member"] == child.username
    await socket.disconnect()
