"""The one moderation entry point, watched words that reach every process, and alerts."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from minimentors.models import AuditEntry
from moderation import engine
from moderation.models import Alert, WatchedWord, WatchedWordsVersion
from moderation.realtime import COUNSELLORS_GROUP, MODERATORS_GROUP
from moderation.services import (
    PackError,
    _state,
    matcher_refresh,
    raise_alert,
    review_text,
    watched_word_delete,
    watched_word_effect,
    watched_word_save,
    watched_words_export,
    watched_words_import,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_matcher():
    matcher_refresh(force=True)
    yield
    engine.set_watched_entries(())
    _state.version = None


def test_review_text_gives_the_engines_verdict():
    verdict = review_text(text="you are a b1tch", context="general")
    # Bullying aimed at a member: staff hear of it (flag), members see *blocked*.
    assert verdict.action == "flag" and verdict.shown == "*blocked*"
    assert verdict.categories == ("profanity", "bullying")


def test_a_watched_word_blocks_at_once_with_its_obfuscations_and_says_which_entry_fired(
    moderator,
):
    assert review_text(text="you zorblax", context="general").action == "allow"
    word = watched_word_save(
        word=WatchedWord(term="zorblax", action="block", category="profanity"), actor=moderator
    )
    verdict = review_text(text="you z0rbl4x", context="general")
    assert verdict.action == "block"
    assert any(m.source == f"watched:{word.pk}" for m in verdict.matches)
    assert AuditEntry.objects.filter(action="watched_word.created", actor=moderator).exists()
    watched_word_delete(word=word, actor=moderator)
    assert review_text(text="you zorblax", context="general").action == "allow"


def test_another_process_sees_the_change_through_the_version_number(moderator):
    """A process only knows the version it built; a change elsewhere bumps the stored number."""
    matcher_refresh(force=True)
    built_version = _state.version
    WatchedWord.objects.create(term="glorpy", action="flag", category="bullying")
    WatchedWordsVersion.objects.update_or_create(pk=1, defaults={"version": built_version + 1})
    _state.checked_at = 0  # this process's next check is due
    verdict = review_text(text="you are glorpy", context="general")
    assert verdict.action == "flag" and "bullying" in verdict.categories


def test_the_preview_shows_a_watched_word_would_block_clean_labelled_messages():
    effect = watched_word_effect(
        proposed=engine.WatchedEntry(id="new", term="sick", action="block", category="profanity")
    )
    assert any("sick" in item.text.lower() for item in effect.new_false_positives)
    harmless = watched_word_effect(
        proposed=engine.WatchedEntry(id="new", term="qwzx", action="block", category="profanity")
    )
    assert harmless.new_false_positives == () and harmless.new_hits == ()


def test_word_packs_export_and_import_with_their_version(moderator):
    watched_word_save(word=WatchedWord(term="blorf", action="block", category="profanity"),
                      actor=moderator)  # fmt: skip
    pack = json.loads(json.dumps(watched_words_export(WatchedWord.objects.all())))
    assert pack["format"] == "minimentors-watched-words" and pack["version"] == 1
    WatchedWord.objects.all().delete()
    assert watched_words_import(pack=pack, actor=moderator) == 1
    assert WatchedWord.objects.get().term == "blorf"
    with pytest.raises(PackError, match="version"):
        watched_words_import(pack={**pack, "version": 99}, actor=moderator)
    with pytest.raises(PackError, match="Entry 1"):
        watched_words_import(pack={**pack, "entries": [{"term": "x", "action": "explode",
                                                        "category": "profanity"}]},
                             actor=moderator)  # fmt: skip


def test_a_risk_alert_reaches_moderators_and_counsellors_and_others_only_moderators(child):
    layer = get_channel_layer()
    moderators = async_to_sync(layer.new_channel)()
    counsellors = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(MODERATORS_GROUP, moderators)
    async_to_sync(layer.group_add)(COUNSELLORS_GROUP, counsellors)
    alert = raise_alert(categories=["self_harm"], severity=3, member=child,
                        summary="cry for help", room="general")  # fmt: skip
    for channel in (moderators, counsellors):
        event = async_to_sync(layer.receive)(channel)
        assert event["frame"]["id"] == alert.pk and event["frame"]["member"] == "amy"
    raise_alert(categories=["profanity"], severity=1, member=child, summary="swearing")
    assert async_to_sync(layer.receive)(moderators)["frame"]["categories"] == ["profanity"]
    assert Alert.objects.count() == 2
