"""Sanctions take effect at once, safeguarding comes first, and everything is on the record."""

from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from minimentors.events import capture_events, group_name
from minimentors.models import AuditEntry, User
from moderation.models import Sanction
from moderation.sanctions import (
    BLOCKED,
    MUTED,
    SafeguardingFirst,
    SanctionRefused,
    block_approval_grant,
    block_notice,
    member_restriction,
    sanction_block,
    sanction_lift,
    sanction_mute,
    sanction_warn,
)
from moderation.services import raise_alert
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def test_a_mute_stops_posting_and_ends_on_time(child, moderator):
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UK)
    with time_machine.travel(start, tick=False):
        sanction_mute(member=child, actor=moderator, reason="Too much spam.", minutes=30)
        assert member_restriction(child) == MUTED
    with time_machine.travel(start + timedelta(minutes=29, seconds=59), tick=False):
        assert member_restriction(child) == MUTED
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        assert member_restriction(child) is None


def test_blocking_ends_every_session_refuses_login_and_unblocking_restores_it(
    client, child, moderator
):
    client.post("/accounts/login/", {"username": "amy", "password": PASSWORD})
    assert client.get("/chat/").status_code == 200
    with capture_events() as sent:
        sanction_block(member=child, actor=moderator, reason="Bullying others.")
    # Every open socket of the member, on every process, is closed with 4403.
    assert [(e.groups, e.event) for e in sent] == [
        ((group_name("user", child.pk),), {"type": "socket.close", "code": 4403})
    ]
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(child.pk) not in sessions
    assert client.get("/chat/").status_code == 302  # the old session is gone
    response = client.post("/accounts/login/", {"username": "amy", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200 and "A moderator has stopped your account" in html
    assert "/moderation/appeal/" in html
    sanction_lift(member=child, actor=moderator, kind="block", reason="Appeal upheld.")
    response = client.post("/accounts/login/", {"username": "amy", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="sanction.block", actor=moderator).exists()
    assert AuditEntry.objects.filter(action="sanction.block.lifted").exists()


def test_a_blocked_member_still_reaches_the_help_and_safety_pages(client, child, moderator):
    sanction_block(member=child, actor=moderator, reason="Rude.")
    client.force_login(child)
    response = client.get("/chat/")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/blocked/"
    blocked_page = client.get("/moderation/blocked/").content.decode()
    assert "ask us to look again" in blocked_page and "0800 1111" in blocked_page
    for path in ("/safety/", "/rules/", "/"):
        assert client.get(path).status_code == 200


def test_a_blocked_child_is_told_until_when_and_why_at_the_login_form(client, child, moderator):
    with time_machine.travel(datetime(2026, 5, 4, 10, 0, tzinfo=UK), tick=False):
        sanction_block(member=child, actor=moderator, reason="You kept being unkind", days=3)
        response = client.post("/accounts/login/", {"username": "amy", "password": PASSWORD})
    html = response.content.decode()
    # UK time, in words a child reads, and one full stop after "a.m."
    assert "until Thursday 7 May, 10 a.m. This is why: You kept being unkind. You" in html
    assert "/moderation/appeal/" in html


def test_a_block_until_lifted_says_so(child, moderator):
    sanction_block(member=child, actor=moderator, reason="Sharing rude pictures.")
    assert block_notice(child) == (
        "A moderator has stopped your account until a moderator lets you back. "
        "This is why: Sharing rude pictures."
    )
    sanction_lift(member=child, actor=moderator, kind="block", reason="Appeal upheld.")
    assert block_notice(child) is None


def test_a_blocked_page_reached_from_a_surviving_session_shows_the_reason(client, child, moderator):
    client.force_login(child)
    # A block made straight in the table, so this session survives it (as one in another
    # session store would): the middleware must catch it on the next page.
    Sanction.objects.create(
        member=child, kind=Sanction.Kind.BLOCK, reason="Bullying others.", created_by=moderator
    )
    response = client.get("/chat/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/moderation/blocked/"
    assert "This is why: Bullying others." in page
    assert client.get("/chat/").status_code == 302  # logged out
    # Someone else opening the page sees only the general words.
    assert "This is why" not in Client().get("/moderation/blocked/").content.decode()


def test_blocking_a_child_with_an_open_risk_alert_needs_safeguarding_first(
    child, moderator, counsellor
):
    raise_alert(categories=["self_harm"], severity=3, member=child, summary="cry for help")
    with pytest.raises(SafeguardingFirst):
        sanction_block(member=child, actor=moderator, reason="Swearing.")
    assert member_restriction(child) is None
    with pytest.raises(SanctionRefused):
        block_approval_grant(member=child, approver=moderator)  # a moderator cannot agree
    block_approval_grant(member=child, approver=counsellor, note="Spoke to them; safe.")
    sanction = sanction_block(member=child, actor=moderator, reason="Swearing.")
    assert sanction.approved_by == counsellor
    assert member_restriction(child) == BLOCKED


def test_only_moderators_apply_sanctions(child, counsellor):
    with pytest.raises(SanctionRefused):
        sanction_warn(member=child, actor=counsellor, reason="x")
    assert not Sanction.objects.exists()


def test_a_warned_member_sees_a_kind_notice_once(client, child, moderator):
    sanction_warn(member=child, actor=moderator, reason="Please don't shout.")
    client.force_login(child)
    first = client.get("/chat/").content.decode()
    assert "A moderator has asked you to be careful: Please don" in first
    assert "A moderator has asked you to be careful" not in client.get("/chat/").content.decode()


# --- member_restriction (one query written out by hand) ----------------------------------------


def test_a_mute_that_ended_in_the_past_no_longer_restricts(child, moderator):
    now = timezone.now()
    Sanction.objects.create(member=child, kind=Sanction.Kind.MUTE, reason="Spam.",
                            created_by=moderator, ends_at=now - timedelta(seconds=1))  # fmt: skip
    assert member_restriction(child) is None
    Sanction.objects.create(member=child, kind=Sanction.Kind.MUTE, reason="Spam again.",
                            created_by=moderator, ends_at=now + timedelta(minutes=5))  # fmt: skip
    assert member_restriction(child) == MUTED


def test_a_lifted_block_no_longer_restricts(child, moderator):
    sanction_block(member=child, actor=moderator, reason="Rude.")
    assert member_restriction(child) == BLOCKED
    assert sanction_lift(member=child, actor=moderator, kind="block", reason="Appeal upheld.") == 1
    assert member_restriction(child) is None


def test_a_block_wins_over_a_mute_and_the_mute_remains_after_the_block_is_lifted(child, moderator):
    sanction_mute(member=child, actor=moderator, reason="Spam.", minutes=60)
    sanction_block(member=child, actor=moderator, reason="Rude.", days=2)
    assert member_restriction(child) == BLOCKED
    sanction_lift(member=child, actor=moderator, kind="block", reason="Appeal upheld.")
    assert member_restriction(child) == MUTED


def test_another_members_sanctions_do_not_restrict_this_one(child, other_child, moderator):
    sanction_block(member=other_child, actor=moderator, reason="Rude.")
    sanction_mute(member=other_child, actor=moderator, reason="Spam.", minutes=60)
    sanction_warn(member=child, actor=moderator, reason="Please be kind.")  # a warning only
    assert member_restriction(other_child) == BLOCKED
    assert member_restriction(child) is None


def test_someone_without_an_account_row_is_never_restricted(
    child, moderator, django_assert_num_queries
):
    sanction_block(member=child, actor=moderator, reason="Rude.")
    with django_assert_num_queries(0):
        assert member_restriction(AnonymousUser()) is None
        assert member_restriction(User(username="not-saved-yet")) is None
        assert member_restriction(None) is None


@pytest.mark.parametrize("sanction", ["warn", "mute", "block"])
def test_a_moderator_cannot_sanction_staff_or_themselves(
    sanction, moderator, counsellor, safeguarding_user, make_member
):
    other_moderator = make_member("moderator", "mo-moderator")
    apply = {
        "warn": lambda member: sanction_warn(member=member, actor=moderator, reason="x"),
        "mute": lambda member: sanction_mute(
            member=member, actor=moderator, reason="x", minutes=5
        ),  # fmt: skip
        "block": lambda member: sanction_block(member=member, actor=moderator, reason="x"),
    }[sanction]
    for member in (moderator, other_moderator, counsellor, safeguarding_user):
        with pytest.raises(SanctionRefused, match="Staff"):
            apply(member)
    assert not Sanction.objects.exists()


def test_the_member_page_refuses_to_block_staff_and_says_why(client, moderator, make_member):
    other_moderator = make_member("moderator", "mo-moderator")
    client.force_login(moderator)
    for target in (moderator, other_moderator):
        response = client.post(
            f"/moderation/members/{target.pk}/sanction/",
            {"kind": "block", "reason": "no"},
            follow=True,
        )
        assert response.status_code == 200
        assert "Staff can't be warned, muted or blocked here" in unescape(response.content.decode())
        assert member_restriction(target) is None
    page = client.get(f"/moderation/members/{other_moderator.pk}/").content.decode()
    assert "Block from the site" not in page


def test_a_superuser_cannot_be_sanctioned_either(moderator, child):
    child.is_superuser = True
    child.save()
    with pytest.raises(SanctionRefused):
        sanction_block(member=child, actor=moderator, reason="x")
