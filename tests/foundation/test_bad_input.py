"""Input that used to make a server error: each is now a clear 4xx with kind words (or, for a
cry for help, still taken in), and nothing half-done is stored."""

import io
from html import unescape

import pytest

from minimentors.models import AuditEntry
from moderation.models import Alert, Sanction, VerdictOverride, WatchedWord
from moderation.services import raise_alert

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("room", ["abc", "²", "-1", "9" * 40])
def test_asking_for_help_with_a_strange_room_still_reaches_a_grown_up(client, child, room):
    client.force_login(child)
    response = client.post("/chat/help/", {"room": room, "words": "please help"})
    assert response.status_code == 302  # the help request is never lost
    assert Alert.objects.get().reporter_words == "please help"


@pytest.mark.parametrize("message_id", [str(2**63), "1", "-5", "abc"])
def test_the_general_report_form_refuses_a_message_id_kindly(client, child, message_id):
    client.force_login(child)
    response = client.post("/moderation/report/", {"words": "look", "message_id": message_id})
    assert response.status_code == 400
    assert "press Report beside it" in unescape(response.content.decode())
    assert not Alert.objects.exists()


def test_a_block_for_millions_of_days_is_refused_kindly(client, child, moderator):
    client.force_login(moderator)
    response = client.post(
        f"/moderation/members/{child.pk}/sanction/",
        {"kind": "block", "reason": "spam", "days": "3000000"},
    )
    assert response.status_code == 400
    assert "at most 3650 days" in unescape(response.content.decode())
    assert not Sanction.objects.exists()


@pytest.fixture
def alert(child):
    return raise_alert(categories=["bullying"], severity=2, member=child, summary="you donut")


def override(client, alert, term):
    return client.post(f"/moderation/alerts/{alert.pk}/override/", {
        "kind": "missed", "note": "", "watch_term": term,
        "watch_action": "block", "watch_category": "bullying",
    })  # fmt: skip


def test_an_override_repeating_a_watched_word_is_refused_kindly(client, moderator, alert):
    WatchedWord.objects.create(term="mega donut", action="block", category="bullying")
    client.force_login(moderator)
    response = override(client, alert, "Mega  Donut")
    assert response.status_code == 400
    assert "already on the watched words list" in unescape(response.content.decode())
    assert not VerdictOverride.objects.exists() and WatchedWord.objects.count() == 1


def test_an_override_with_a_watched_word_too_long_is_refused_kindly(client, moderator, alert):
    client.force_login(moderator)
    response = override(client, alert, "donut" * 30)
    assert response.status_code == 400
    assert "at most 100 characters" in unescape(response.content.decode())
    assert not VerdictOverride.objects.exists() and not WatchedWord.objects.exists()


def test_a_word_pack_nested_too_deep_is_refused_kindly(client, moderator):
    moderator.is_staff = True
    moderator.save()
    client.force_login(moderator)
    deep = io.BytesIO(b"[" * 50_000 + b"]" * 50_000)
    deep.name = "pack.json"
    response = client.post("/admin/moderation/watchedword/import/", {"pack": deep})
    assert response.status_code == 400
    assert "not a MiniMentors watched-words pack" in unescape(response.content.decode())
    assert not AuditEntry.objects.filter(action="watched_words.imported").exists()
