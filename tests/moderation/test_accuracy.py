"""Accuracy of the engine on labelled messages written in the voice of UK children (8-16).

``moderation/data/labelled_messages.jsonl``: one
``{"text", "context", "expected": [categories]}`` per line; ``[]`` means clean. Recall is per
category (a message labelled with a category counts as found when the verdict includes it);
false positives are clean messages not allowed.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from moderation.engine import CATEGORIES, CONTEXTS, Verdict, review

# The corpus ships with the app (the watched-word preview uses it); this folder links to it.
LABELLED = Path(__file__).resolve().parents[2] / "moderation" / "data" / "labelled_messages.jsonl"

MIN_RECALL = {"profanity": 0.97, "personal_info": 0.95, "self_harm": 0.95, "abuse": 0.95}
MAX_FALSE_POSITIVE_RATE = 0.01
MIN_POSITIVES = {
    "profanity": 60,
    "personal_info": 40,
    "self_harm": 40,
    "abuse": 40,
    "grooming": 25,
    "bullying": 25,
    "link": 15,
    "hate": 5,
    "sexual": 5,
    "spam": 5,
}


@cache
def rows() -> tuple[dict, ...]:
    with LABELLED.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


@cache
def verdicts() -> tuple[Verdict, ...]:
    return tuple(review(row["text"], row.get("context", "general")) for row in rows())


def recall_table() -> dict[str, tuple[int, int]]:
    labelled: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for row, verdict in zip(rows(), verdicts(), strict=True):
        for category in row["expected"]:
            labelled[category] += 1
            found[category] += category in verdict.categories
    return {category: (found[category], labelled[category]) for category in labelled}


def test_the_labelled_set_is_well_formed_and_big_enough() -> None:
    assert len(rows()) >= 450
    for row in rows():
        assert set(row) == {"text", "context", "expected"}
        assert row["context"] in CONTEXTS
        assert set(row["expected"]) <= set(CATEGORIES)
    positives = Counter(category for row in rows() for category in row["expected"])
    for category, minimum in MIN_POSITIVES.items():
        assert positives[category] >= minimum, category
    assert sum(1 for row in rows() if not row["expected"]) >= 150


@pytest.mark.parametrize("category", sorted(MIN_RECALL))
def test_recall_is_high_enough(category: str) -> None:
    found, labelled = recall_table()[category]
    missed = [
        row["text"]
        for row, verdict in zip(rows(), verdicts(), strict=True)
        if category in row["expected"] and category not in verdict.categories
    ]
    assert found / labelled >= MIN_RECALL[category], missed


def test_every_category_is_found_most_of_the_time() -> None:
    table = recall_table()
    weak = {
        c: f"{found}/{labelled}" for c, (found, labelled) in table.items() if found < 0.9 * labelled
    }
    assert not weak


def test_no_cry_for_help_is_ever_allowed_or_blocked() -> None:
    wrong = [
        (row["text"], verdict.action)
        for row, verdict in zip(rows(), verdicts(), strict=True)
        if {"self_harm", "abuse"} & set(row["expected"]) and verdict.action != "flag"
    ]
    assert wrong == []


def test_few_clean_messages_are_stopped() -> None:
    clean = [
        (row["text"], verdict)
        for row, verdict in zip(rows(), verdicts(), strict=True)
        if not row["expected"]
    ]
    stopped = [(text, verdict.reason) for text, verdict in clean if verdict.action != "allow"]
    assert len(stopped) / len(clean) <= MAX_FALSE_POSITIVE_RATE, stopped
