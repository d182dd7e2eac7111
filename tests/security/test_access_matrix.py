"""Every URL pattern of the site × every kind of visitor, including objects that belong to
someone else. A route with no row fails ``test_every_route_has_a_row``, so no page ships
without its rule. Refused means: the login page for anonymous visitors, 403 for a role the
page is not for, 404 for an object the visitor may not see (or 405 for a method the page does
not take). Allowed means any answer but those (and never a 500)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from chat import blogs, messaging
from chat import bubbles as chat_bubbles
from chat import services as chat_services
from counselling import checkins
from counselling import services as counselling

pytestmark = pytest.mark.django_db

ANON, CHILD, OTHER, MENTOR, COUNSELLOR, MODERATOR, TEAM, ROOT = (
    "anonymous", "child", "other_child", "mentor", "counsellor", "moderator", "safeguarding",
    "superuser",
)  # fmt: skip
EVERYONE = {ANON, CHILD, OTHER, MENTOR, COUNSELLOR, MODERATOR, TEAM, ROOT}
LOGGED_IN_ROLES = {CHILD, OTHER, MENTOR, COUNSELLOR, MODERATOR, TEAM}
MEMBERS = {CHILD, OTHER, MENTOR}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) == "admin/":
                continue  # admin has its own matrix (tests/safeguarding/test_admin.py)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@pytest.fixture
def world(child, other_child, mentor, counsellor, moderator, safeguarding_user, general_room,
          django_user_model):  # fmt: skip
    root = django_user_model.objects.create_superuser("root-admin", password="root-pass-4471")
    request = chat_bubbles.bubble_request_create(child=child)
    bubble = chat_bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
    message = chat_services.post_message(author=child, room=bubble, text="hello").message
    thread = messaging.thread_open(member=child, partner_name=mentor.username)
    post, _ = blogs.blog_post_create(author=child, title="My cat", body="She is fluffy.")
    note = counselling.note_write(author=counsellor, child=child, category="other",
                                  what_happened="Talked.", decision="None.")  # fmt: skip
    concern = counselling.concern_raise(raised_by=mentor, room=bubble, category="other", words="")
    plan = checkins.checkin_offer(counsellor=counsellor, child=child, weekday=1,
                                  at=__import__("datetime").time(16))  # fmt: skip
    from moderation.services import raise_alert

    alert = raise_alert(categories=["profanity"], severity=1, member=child, summary="x")
    people = {CHILD: child, OTHER: other_child, MENTOR: mentor, COUNSELLOR: counsellor,
              MODERATOR: moderator, TEAM: safeguarding_user, ROOT: root}  # fmt: skip
    ids = {"bubble": bubble.pk, "message": message.pk, "thread": thread.pk, "post": post.pk,
           "note": note.pk, "concern": concern.pk, "plan": plan.pk, "alert": alert.pk,
           "child": child.username, "member": child.pk, "request": request.pk}  # fmt: skip
    return people, ids


# route: (method, path, who may use it). Paths name objects that belong to ``child``.
ROUTES = {
    "": ("GET", "/", EVERYONE),
    "safety/": ("GET", "/safety/", EVERYONE),
    "rules/": ("GET", "/rules/", EVERYONE),
    "healthz": ("GET", "/healthz", EVERYONE),
    "hours/": ("GET", "/hours/", EVERYONE),
    "favicon.ico": ("GET", "/favicon.ico", EVERYONE),
    "accounts/login/": ("GET", "/accounts/login/", EVERYONE),
    "accounts/logout/": ("POST", "/accounts/logout/", EVERYONE),
    "accounts/signup/": ("GET", "/accounts/signup/", EVERYONE),
    "chat/": ("GET", "/chat/", LOGGED_IN_ROLES),
    "chat/rooms/<slug:slug>/": ("GET", "/chat/rooms/general/", LOGGED_IN_ROLES),
    "chat/bubbles/request/": ("POST", "/chat/bubbles/request/", LOGGED_IN_ROLES),
    "chat/bubbles/requests/<int:request_id>/cancel/": (
        "POST", "/chat/bubbles/requests/{request}/cancel/", LOGGED_IN_ROLES),
    "chat/bubbles/requests/<int:request_id>/accept/": (
        "POST", "/chat/bubbles/requests/{request}/accept/", LOGGED_IN_ROLES),
    "chat/bubbles/open/": ("POST", "/chat/bubbles/open/", LOGGED_IN_ROLES),
    "chat/bubbles/<int:bubble_id>/": (
        "GET", "/chat/bubbles/{bubble}/", {CHILD, MENTOR, COUNSELLOR, MODERATOR, TEAM}),
    "chat/bubbles/<int:bubble_id>/join/": (
        "POST", "/chat/bubbles/{bubble}/join/", {CHILD, MENTOR, COUNSELLOR, MODERATOR, TEAM}),
    "chat/bubbles/<int:bubble_id>/end/": (
        "POST", "/chat/bubbles/{bubble}/end/", {CHILD, MENTOR, COUNSELLOR, MODERATOR, TEAM}),
    "chat/messages/<int:message_id>/report/": (
        "POST", "/chat/messages/{message}/report/", {CHILD, MENTOR, COUNSELLOR, MODERATOR, TEAM}),
    "chat/help/": ("POST", "/chat/help/", LOGGED_IN_ROLES),
    "messages/": ("GET", "/messages/", {CHILD, OTHER, MENTOR, COUNSELLOR, MODERATOR}),
    "messages/new/": ("POST", "/messages/new/", {CHILD, OTHER, MENTOR, COUNSELLOR}),
    # Staff may read any private chat (the safety page says so); every such read is audited.
    "messages/<int:thread_id>/": (
        "GET", "/messages/{thread}/", {CHILD, MENTOR, COUNSELLOR, MODERATOR, TEAM}),
    "blogs/": ("GET", "/blogs/", LOGGED_IN_ROLES),
    "blogs/new/": ("GET", "/blogs/new/", MEMBERS),
    "blogs/<int:post_id>/": ("GET", "/blogs/{post}/", LOGGED_IN_ROLES),
    "blogs/<int:post_id>/comment/": ("POST", "/blogs/{post}/comment/", MEMBERS),
    "blogs/<int:post_id>/report/": ("POST", "/blogs/{post}/report/", LOGGED_IN_ROLES),
    "moderation/": ("GET", "/moderation/", {MODERATOR}),
    "moderation/alerts/<int:alert_id>/<slug:action>/": (
        "POST", "/moderation/alerts/{alert}/acknowledge/", {MODERATOR}),
    "moderation/members/<int:member_id>/": (
        "GET", "/moderation/members/{member}/", {MODERATOR, COUNSELLOR, TEAM}),
    "moderation/members/<int:member_id>/sanction/": (
        "POST", "/moderation/members/{member}/sanction/", {MODERATOR}),
    "moderation/members/<int:member_id>/lift/": (
        "POST", "/moderation/members/{member}/lift/", {MODERATOR}),
    "moderation/members/<int:member_id>/hide/": (
        "POST", "/moderation/members/{member}/hide/", {MODERATOR}),
    "moderation/members/<int:member_id>/approve-block/": (
        "POST", "/moderation/members/{member}/approve-block/", {COUNSELLOR, TEAM}),
    "moderation/report/": ("GET", "/moderation/report/", LOGGED_IN_ROLES),
    "moderation/my-reports/": ("GET", "/moderation/my-reports/", LOGGED_IN_ROLES),
    "moderation/blocked/": ("GET", "/moderation/blocked/", EVERYONE),
    "moderation/appeal/": ("GET", "/moderation/appeal/", EVERYONE),
    "counselling/": ("GET", "/counselling/", {COUNSELLOR}),
    "counselling/concerns/<int:concern_id>/<slug:step>/": (
        "POST", "/counselling/concerns/{concern}/pick_up/", {COUNSELLOR}),
    "counselling/children/<str:username>/": ("GET", "/counselling/children/{child}/", {COUNSELLOR}),
    "counselling/children/<str:username>/notes/": (
        "POST", "/counselling/children/{child}/notes/", {COUNSELLOR}),
    "counselling/children/<str:username>/offer/": (
        "POST", "/counselling/children/{child}/offer/", {COUNSELLOR}),
    "counselling/children/<str:username>/escalate/": (
        "POST", "/counselling/children/{child}/escalate/", {COUNSELLOR}),
    "counselling/children/<str:username>/rooms/<int:room_id>/": (
        "GET", "/counselling/children/{child}/rooms/{bubble}/", {COUNSELLOR}),
    "counselling/notes/<int:note_id>/edit/": (
        "GET", "/counselling/notes/{note}/edit/", {COUNSELLOR}),
    "counselling/notes/<int:note_id>/amend/": (
        "POST", "/counselling/notes/{note}/amend/", {COUNSELLOR}),
    "concerns/new/<int:bubble_id>/": ("GET", "/concerns/new/{bubble}/", {MENTOR, COUNSELLOR}),
    "weekly-chats/offers/": ("GET", "/weekly-chats/offers/", {CHILD, OTHER}),
    # Another child's answer to someone else's offer changes nothing ("That offer has ended").
    "weekly-chats/<int:plan_id>/answer/": ("POST", "/weekly-chats/{plan}/answer/", {CHILD, OTHER}),
}  # fmt: skip


def test_every_route_has_a_row():
    assert set(walk(get_resolver().url_patterns)) == set(ROUTES)


def refused(role: str, response) -> bool:
    if role == ANON:
        return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")
    return response.status_code in (403, 404, 405)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_each_route_lets_in_only_whom_it_is_for(world, route):
    people, ids = world
    method, template, allowed = ROUTES[route]
    path = template.format(**ids)
    for role in sorted(EVERYONE):
        client = Client(raise_request_exception=False)
        if role != ANON:
            client.force_login(people[role])
        response = client.generic(method, path)
        assert response.status_code != 500, (route, role)
        if role in allowed:
            assert not refused(role, response) or response.status_code == 405, (
                route, role, response.status_code)  # fmt: skip
        else:
            assert refused(role, response), (route, role, response.status_code)


def test_another_childs_answer_to_an_offer_changes_nothing(world):
    from counselling.models import CheckInPlan

    people, ids = world
    client = Client()
    client.force_login(people[OTHER])
    client.post(f"/weekly-chats/{ids['plan']}/answer/", {"answer": "no"})
    assert CheckInPlan.objects.get(pk=ids["plan"]).status == CheckInPlan.Status.OFFERED


def test_every_page_has_a_strict_content_security_policy(world):
    """No inline scripts or styles anywhere: every HTML page carries a policy without
    'unsafe-inline' (or 'unsafe-eval')."""
    people, ids = world
    checked = 0
    for method, template, allowed in ROUTES.values():
        if method != "GET":
            continue
        role = CHILD if CHILD in allowed else next(iter(sorted(allowed - {ANON})), ANON)
        client = Client()
        if role != ANON:
            client.force_login(people[role])
        response = client.get(template.format(**ids))
        if response.get("Content-Type", "").startswith("text/html"):
            policy = response["Content-Security-Policy"]
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
            assert "script-src 'self'" in policy
            checked += 1
    assert checked >= 20


def test_failed_authorisation_is_logged_without_what_was_sent(world, caplog):
    people, _ = world
    client = Client()
    client.force_login(people[CHILD])
    with caplog.at_level("WARNING", logger="minimentors.security"):
        client.get("/counselling/?secret=hunter2")
    [record] = [r for r in caplog.records if r.name == "minimentors.security"]
    line = record.getMessage()
    assert f"member {people[CHILD].pk}" in line and "/counselling/" in line
    assert "hunter2" not in line and client.cookies["sessionid"].value not in line


@pytest.mark.django_db(transaction=True)
async def test_a_refused_socket_is_logged_without_its_session(child):
    import logging

    from channels.testing import WebsocketCommunicator

    from minimentors.asgi import application
    from tests.channel_helpers import member_headers

    headers = await member_headers(child)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("minimentors.security").addHandler(handler)
    try:
        socket = WebsocketCommunicator(application, "/ws/staff/alerts/", headers=headers)
        await socket.connect()
        await socket.receive_output(timeout=3)
    finally:
        logging.getLogger("minimentors.security").removeHandler(handler)
    [line] = [r.getMessage() for r in records]
    assert "4403" in line and "/ws/staff/alerts/" in line
    cookie = dict(headers)[b"cookie"].decode().split("=", 1)[1]
    assert cookie not in line
