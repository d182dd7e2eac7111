"""The moderation queue, reports that reporters hear back on, appeals, verdict overrides, and
the re-raise of alerts nobody acknowledged."""

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from minimentors.events import capture_events
from minimentors.models import AuditEntry
from minimentors.roles import Role
from moderation.models import Alert, VerdictOverride, WatchedWord
from moderation.permissions import can_see_alert
from moderation.realtime import ALL_STAFF_GROUP, COUNSELLORS_GROUP, on_call_group
from moderation.sanctions import sanction_block, sanction_mute
from moderation.services import (
    AlertTransitionRefused,
    alert_transition,
    alerts_reraise_due,
    raise_alert,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def test_only_moderators_reach_the_moderation_queue(client, make_member):
    assert client.get("/moderation/").status_code == 302
    for number, role in enumerate(Role):
        client.force_login(make_member(role, f"user{number}-{role}"))
        expected = 200 if role == Role.MODERATOR else 403
        assert client.get("/moderation/").status_code == expected, role


def test_the_queue_puts_the_most_severe_then_the_oldest_first(client, child, moderator):
    with time_machine.travel(datetime(2026, 5, 4, 21, 0, tzinfo=UK), tick=False):
        overnight_low = raise_alert(categories=["profanity"], severity=1, member=child,
                                    summary="old swearing")  # fmt: skip
        overnight_risk = raise_alert(categories=["self_harm"], severity=3, member=child,
                                     summary="overnight cry")  # fmt: skip
    with time_machine.travel(datetime(2026, 5, 5, 8, 0, tzinfo=UK), tick=False):
        morning_risk = raise_alert(categories=["abuse"], severity=3, member=child,
                                   summary="morning disclosure")  # fmt: skip
        client.force_login(moderator)
        html = client.get("/moderation/").content.decode()
    positions = [
        html.index(f"Alert {a.pk} ") for a in (overnight_risk, morning_risk, overnight_low)
    ]
    assert positions == sorted(positions)
    assert "<h1>Moderation</h1>" in html and 'aria-label="New alerts"' in html


def test_alerts_move_only_along_the_workflow_and_resolving_needs_an_outcome(child, moderator):
    alert = raise_alert(categories=["bullying"], severity=2, member=child, summary="mean")
    with pytest.raises(AlertTransitionRefused, match="Say what was done"):
        alert_transition(alert=alert, step="resolve", actor=moderator)
    alert_transition(alert=alert, step="acknowledge", actor=moderator)
    alert_transition(alert=alert, step="resolve", actor=moderator, outcome="Warned.")
    for step in ("acknowledge", "hand_over", "raise_again", "resolve"):
        with pytest.raises(AlertTransitionRefused):
            alert_transition(alert=alert, step=step, actor=moderator, outcome="Again.")
    alert.refresh_from_db()
    assert alert.handled_by == moderator and alert.outcome == "Warned."
    steps = AuditEntry.objects.filter(
        target_type="moderation.alert", target_id=str(alert.pk)
    ).order_by("id")
    assert [(e.action, e.detail["to_status"]) for e in steps] == [
        ("alert.acknowledge", "acknowledged"),
        ("alert.resolve", "resolved"),
    ]


def test_a_hand_over_keeps_the_note_tells_counsellors_live_and_is_audited(
    child, moderator, counsellor
):
    alert = raise_alert(categories=["bullying"], severity=2, member=child, summary="mean")
    with capture_events() as sent:
        alert_transition(alert=alert, step="hand_over", actor=moderator, note="Please call her.")
    alert.refresh_from_db()
    assert alert.handed_to_counsellor and alert.handover_note == "Please call her."
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledged_at is not None
    [event] = sent
    assert COUNSELLORS_GROUP in event.groups and event.frame["id"] == alert.pk
    assert can_see_alert(counsellor, alert)
    assert AuditEntry.objects.filter(action="alert.hand_over", actor=moderator).count() == 1
    alert_transition(alert=alert, step="resolve", actor=moderator, outcome="Counsellor called.")
    with capture_events() as sent, pytest.raises(AlertTransitionRefused):
        alert_transition(alert=alert, step="hand_over", actor=moderator)  # resolved: no re-push
    assert sent == []


def test_a_child_reports_something_and_hears_back_in_plain_words(client, child, moderator):
    client.force_login(child)
    response = client.post("/moderation/report/", {"words": "ben keeps calling me names"})
    assert "Thank you for telling us" in response.content.decode()
    report = Alert.objects.get(kind=Alert.Kind.REPORT)
    assert report.reporter == child and report.reporter_words == "ben keeps calling me names"
    assert "A grown-up will read it soon" in client.get("/moderation/my-reports/").content.decode()
    alert_transition(alert=report, step="acknowledge", actor=moderator)
    assert "A grown-up has read it" in client.get("/moderation/my-reports/").content.decode()
    alert_transition(alert=report, step="resolve", actor=moderator, outcome="Spoke.")
    assert "We have sorted it" in client.get("/moderation/my-reports/").content.decode()


def test_an_empty_report_is_refused_kindly_and_nothing_is_lost(client, child):
    client.force_login(child)
    response = client.post("/moderation/report/", {"words": "   "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Alert.objects.exists()


def test_a_blocked_member_appeals_with_their_password_and_it_reaches_the_queue(
    client, child, moderator
):
    sanction_block(member=child, actor=moderator, reason="Rude words.")
    response = client.post("/moderation/appeal/", {"username": "amy", "password": "wrong",
                                                    "words": "it was my brother"})  # fmt: skip
    assert "That username and password don" in response.content.decode()
    response = client.post("/moderation/appeal/", {"username": "amy", "password": PASSWORD,
                                                   "words": "it was my brother"})  # fmt: skip
    assert "We got your message" in response.content.decode()
    appeal = Alert.objects.get(kind=Alert.Kind.APPEAL)
    assert appeal.member == child and appeal.reporter_words == "it was my brother"


def test_a_muted_member_is_told_why_and_until_when_and_can_appeal(client, child, moderator):
    sanction_mute(member=child, actor=moderator, reason="Too many messages.", minutes=20)
    client.force_login(child)
    page = client.get("/moderation/appeal/").content.decode()
    assert "Too many messages." in page and "but not write until" in page
    client.post("/moderation/appeal/", {"words": "sorry, I will slow down"})
    assert Alert.objects.filter(kind=Alert.Kind.APPEAL, member=child).exists()


def test_a_moderator_marks_a_verdict_wrong_and_adds_a_watched_word_in_one_step(
    client, child, moderator
):
    alert = raise_alert(categories=["bullying"], severity=2, member=child, summary="you donut")
    client.force_login(moderator)
    client.post(f"/moderation/alerts/{alert.pk}/override/", {
        "kind": "missed", "note": "new insult", "watch_term": "mega donut",
        "watch_action": "block", "watch_category": "bullying",
    })  # fmt: skip
    override = VerdictOverride.objects.get()
    assert override.kind == "missed" and override.created_by == moderator
    assert override.watched_word == WatchedWord.objects.get(term="mega donut")


def test_an_unacknowledged_high_severity_alert_is_raised_again_after_the_set_time_only(
    child, moderator, settings
):
    settings.ALERT_REPEAT_AFTER = timedelta(minutes=5)
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UK)
    with time_machine.travel(start, tick=False):
        urgent = raise_alert(categories=["self_harm"], severity=3, member=child, summary="help")
        raise_alert(categories=["profanity"], severity=1, member=child, summary="swear")
        handled = raise_alert(categories=["abuse"], severity=3, member=child, summary="told")
        alert_transition(alert=handled, step="acknowledge", actor=moderator)
    with time_machine.travel(start + timedelta(minutes=4, seconds=59), tick=False):
        assert alerts_reraise_due() == []
    with time_machine.travel(start + timedelta(minutes=5), tick=False), capture_events() as sent:
        assert alerts_reraise_due() == [urgent.pk]
    assert [(e.groups, e.frame["id"], e.frame["reraised"]) for e in sent] == [
        ((ALL_STAFF_GROUP,), urgent.pk, True)
    ]
    raised_again = AuditEntry.objects.get(action="alert.raise_again")
    assert raised_again.actor is None and raised_again.actor_username == "system"
    with time_machine.travel(start + timedelta(minutes=10), tick=False), capture_events() as sent:
        assert alerts_reraise_due() == []  # once only
    assert sent == []


def test_out_of_hours_a_risk_alert_also_reaches_the_on_call_staff(
    child, safeguarding_user, settings, django_capture_on_commit_callbacks
):
    settings.ON_CALL_STAFF = [safeguarding_user.username]
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(on_call_group(safeguarding_user.pk), channel)

    def alerts_reaching_on_call(moment: datetime, **alert) -> list[int]:
        # Raised and received at the same frozen moment: the in-memory layer expires messages
        # by the clock.
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                raise_alert(member=child, **alert)
            try:
                event = async_to_sync(asyncio.wait_for)(layer.receive(channel), 0.5)
            except TimeoutError:
                return []
            return [event["frame"]["id"]]

    night = datetime(2026, 5, 4, 23, 30, tzinfo=UK)
    assert len(alerts_reaching_on_call(night, categories=["abuse"], severity=3, summary="n")) == 1
    day = datetime(2026, 5, 5, 11, 0, tzinfo=UK)
    assert alerts_reaching_on_call(day, categories=["abuse"], severity=3, summary="d") == []
    swear = {"categories": ["profanity"], "severity": 1, "summary": "s"}
    assert alerts_reaching_on_call(night, **swear) == []
