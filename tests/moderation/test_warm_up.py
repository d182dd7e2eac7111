"""warm_up: Daphne builds the engine and loads the watched words when it starts."""

import logging

import pytest
from django.db import DatabaseError

from moderation import engine, services
from moderation.models import WatchedWord
from moderation.services import _state, review_text, warm_up, watched_word_save

# Not transactional on purpose: inside the test's transaction the commit hook of
# watched_word_save never runs, so only warm_up can load the new word.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_matcher():
    yield
    engine.set_watched_entries(())
    _state.version = None


def test_warm_up_reloads_the_watched_words_even_inside_the_check_window(moderator, monkeypatch):
    monkeypatch.setattr(services, "WATCHED_WORDS_CHECK_SECONDS", 3600)
    assert review_text(text="you zorblax", context="general").action == "allow"
    word = watched_word_save(
        word=WatchedWord(term="zorblax", action="block", category="profanity"), actor=moderator
    )
    # Inside the window this process does not look at the watched words again...
    assert review_text(text="you zorblax", context="general").action == "allow"

    warm_up()

    verdict = review_text(text="you zorblax", context="general")
    assert verdict.action == word.action == "block"
    assert any(m.source == f"watched:{word.pk}" for m in verdict.matches)


def test_warm_up_builds_the_engine(monkeypatch):
    built = []
    real_get_engine = engine.get_engine
    monkeypatch.setattr(engine, "get_engine", lambda: built.append(1) or real_get_engine())
    warm_up()
    assert built == [1]


def test_warm_up_logs_a_database_that_is_not_ready_and_does_not_raise(monkeypatch, caplog):
    def not_ready(*, force=False):
        raise DatabaseError("no such table: moderation_watchedwordsversion")

    monkeypatch.setattr(services, "matcher_refresh", not_ready)
    with caplog.at_level(logging.WARNING, logger="moderation.services"):
        warm_up()
    [record] = [r for r in caplog.records if r.name == "moderation.services"]
    assert record.levelno == logging.WARNING and "Watched words" in record.getMessage()
