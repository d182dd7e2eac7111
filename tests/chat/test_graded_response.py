"""The graded response through the chat service: an unsure cry for help (the learned tier's
low band) is a low-severity flag on the counsellors' list, never hidden from the mentor in a
bubble, and the child is told a grown-up will read it, with ChildLine's number.

The engine's learned tier is swapped for a tiny model whose scores the test controls (as in
``tests/moderation/test_risk_tier.py``), so this holds whatever the trained weights are."""

from __future__ import annotations

import pytest

from chat import services
from minimentors.events import capture_events, group_name
from moderation.engine import get_engine
from moderation.models import Alert
from moderation.permissions import can_see_alert
from moderation.realtime import COUNSELLORS_GROUP
from moderation.services import review_text
from tests.moderation.test_risk_tier import tiny_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsure_model(monkeypatch):
    review_text(text="hello", context="general")  # the engine as the site builds it
    engine = get_engine()
    monkeypatch.setattr(
        engine, "risk", tiny_model({"glumword": {"self_harm": 0.6}, "grimword": {"abuse": 0.97}})
    )
    return engine


def helpline_notices(result) -> list[dict]:
    return [f for f in result.sender_frames if f.get("type") == "notice" and f.get("helpline")]


def test_an_unsure_cry_in_a_bubble_reaches_the_mentor_and_the_counsellors_list(
    child, mentor, counsellor, bubble, unsure_model
):
    with capture_events() as sent:
        result = services.post_message(author=child, room=bubble, text="glumword")
    message = result.message
    assert (message.action, message.categories, message.severity) == ("flag", ["self_harm"], 1)
    # Not hidden: the mentor's room gets the child's own words.
    [broadcast] = [e for e in sent if e.event["type"] == "chat.message"]
    assert broadcast.groups == (group_name("room", bubble.pk),)
    assert broadcast.frame["text"] == "glumword" and not message.held
    # No counsellor is asked to join now (that is for a sure finding) ...
    assert not [e for e in sent if e.event["type"] == "chat.notice"]
    # ... but the alert is on the counsellors' list, at low priority.
    [alert_event] = [e for e in sent if e.event["type"] == "alert.raised"]
    assert COUNSELLORS_GROUP in alert_event.groups
    alert = Alert.objects.get(message_id=message.pk)
    assert alert.severity == 1 and alert.categories == ["self_harm"]
    assert can_see_alert(counsellor, alert)
    # The child hears a grown-up will read it, and ChildLine's number.
    [notice] = helpline_notices(result)
    assert "0800 1111" in notice["text"]


def test_an_unsure_cry_in_a_general_room_is_held_for_the_team_and_the_child_told(
    child, joined, unsure_model
):
    room = joined(child)
    with capture_events() as sent:
        result = services.post_message(author=child, room=room, text="glumword")
    assert result.message.held and result.message.severity == 1
    assert not [e for e in sent if e.event["type"] == "chat.message"]
    assert ["0800 1111" in n["text"] for n in helpline_notices(result)] == [True]


def test_a_sure_cry_in_a_bubble_asks_a_counsellor_to_join(child, mentor, bubble, unsure_model):
    with capture_events() as sent:
        services.post_message(author=child, room=bubble, text="grimword")
    handover = [e for e in sent if e.event["type"] == "chat.notice"]
    assert handover and handover[0].event["user_ids"] == [mentor.pk]
    assert any("abuse" in a.categories and a.severity == 3 for a in Alert.objects.all())
