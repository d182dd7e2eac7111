"""The learned risk tier and the graded response, at engine level (no database).

The graded-response tests give the engine a tiny hand-made ``RiskModel`` whose scores they
control, so they say what the engine does with an unsure or a sure finding whatever the
trained weights are. The last tests use the committed model on messages in children's
spelling that no phrase file lists.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from moderation.engine import Engine, review
from moderation.engine.normalise import normalise
from moderation.engine.risk import (
    MODEL_FILE,
    NEVER,
    RISK_CATEGORIES,
    RiskModel,
    features,
    words_of,
)
from moderation.engine.verdict import BLOCKED, INAPPROPRIATE

LOW, HIGH = 0.5, 0.9
RESCUE = 0.2  # the bar under LOW a cry must clear to turn a block into an unsure flag
CONTACT = 0.4  # the bar grooming must clear to turn a block for a contact detail into a flag


def logit(probability: float) -> float:
    return math.log(probability / (1 - probability))


def tiny_model(word_probabilities: dict[str, dict[str, float]]) -> RiskModel:
    """A model that gives each listed word's message the listed probability per category
    (messages of one listed word and nothing else; every other word weighs nothing)."""
    scale = 1000
    bias = -20.0
    words = {}
    for word, probabilities in word_probabilities.items():
        words[word] = [
            round((logit(probabilities.get(category, 1e-9)) - bias) * scale)
            for category in RISK_CATEGORIES
        ]
    return RiskModel(
        {
            "categories": list(RISK_CATEGORIES),
            "scale": scale,
            "bias": [round(bias * scale)] * len(RISK_CATEGORIES),
            "low": [LOW] * len(RISK_CATEGORIES),
            "high": [HIGH] * len(RISK_CATEGORIES),
            "rescue": [RESCUE] * len(RISK_CATEGORIES),
            "contact": [
                CONTACT if category == "grooming" else NEVER for category in RISK_CATEGORIES
            ],
            "words": words,
            "grams": {},
            "pairs": {},
            "gate": {"bias": 0, "threshold": -(10**9), "words": {}, "grams": {}, "pairs": {}},
        }
    )


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine()
    engine.risk = tiny_model(
        {
            "glumword": {"self_harm": 0.6},
            "grimword": {"self_harm": 0.97},
            "homeword": {"abuse": 0.55},
            "lureword": {"grooming": 0.6},
            "meanword": {"bullying": 0.7},
            "sureword": {"bullying": 0.95},
            "lowword": {"self_harm": 0.3},
            "faintword": {"grooming": 0.3},
            "nearword": {"grooming": 0.45},
            "sourword": {"bullying": 0.3},
            "hit": {"abuse": 0.3},  # what the model reads of "$hit"
        }
    )
    return engine


GRADED = [
    # text, context, action, categories, severity, shown ("=": the original text)
    ("glumword", "general", "flag", ("self_harm",), 1, "="),
    ("glumword", "bubble", "flag", ("self_harm",), 1, "="),
    ("glumword", "message", "flag", ("self_harm",), 1, "="),
    ("grimword", "general", "flag", ("self_harm",), 3, "="),
    ("homeword", "bubble", "flag", ("abuse",), 1, "="),
    ("lureword", "general", "flag", ("grooming",), 1, INAPPROPRIATE),
    ("meanword", "general", "flag", ("bullying",), 1, BLOCKED),
    ("sureword", "general", "flag", ("bullying",), 2, BLOCKED),
    ("ordinary", "general", "allow", (), 0, "="),
]


@pytest.mark.parametrize(("text", "context", "action", "categories", "severity", "shown"), GRADED)
def test_an_unsure_cry_for_help_is_a_low_severity_flag_never_hidden_from_the_mentor(
    engine: Engine,
    text: str,
    context: str,
    action: str,
    categories: tuple[str, ...],
    severity: int,
    shown: str,
) -> None:
    verdict = engine.review(text, context)
    assert (verdict.action, verdict.categories, verdict.severity) == (
        action,
        categories,
        severity,
    )
    assert verdict.shown == (text if shown == "=" else shown)


@pytest.mark.parametrize(
    ("text", "action", "categories"),
    [
        # Under the usual bar on its own: allowed (no false alarm on ordinary chat) ...
        ("lowword", "allow", ()),
        # ... but about to be blocked for swearing: an unsure cry for help.
        ("lowword shit", "flag", ("profanity", "self_harm")),
        ("faintword shit", "flag", ("grooming", "profanity")),
        # A contact detail keeps its rule's block unless the model leans to grooming over
        # the contact bar (children swap handles with each other every day) ...
        ("faintword add me on snap", "block", ("personal_info",)),
        ("nearword add me on snap", "flag", ("grooming", "personal_info")),
        ("nearword text me on 07700 900123", "flag", ("grooming", "personal_info")),
        ("nearword", "allow", ()),
        # ... and only for grooming: a contact detail is never shown, a cry for help is.
        ("lowword add me on snap", "block", ("personal_info",)),
        # Bullying is about someone else: a block stays a block.
        ("sourword shit", "block", ("profanity",)),
        ("ordinary shit", "block", ("profanity",)),
        # A swear word alone is a block, whatever its letters read as ("$hit" is "hit").
        ("$hit", "block", ("profanity",)),
        ("lowword $hit", "flag", ("profanity", "self_harm")),
    ],
)
def test_a_message_about_to_be_blocked_that_leans_to_a_cry_for_help_is_flagged_instead(
    engine: Engine, text: str, action: str, categories: tuple[str, ...]
) -> None:
    verdict = engine.review(text)
    assert (verdict.action, set(verdict.categories)) == (action, set(categories))
    if action == "flag":
        assert verdict.severity == 1  # unsure: the counsellors' list at low priority
        assert verdict.is_cry_for_help or "grooming" in verdict.categories
    if "personal_info" in categories:
        assert verdict.shown == INAPPROPRIATE  # the contact detail stays hidden


def test_a_rule_finding_stands_sure_whatever_the_model_says(engine: Engine) -> None:
    verdict = engine.review("glumword i want to kill myself")
    assert (verdict.action, verdict.categories, verdict.severity) == ("flag", ("self_harm",), 3)


def test_a_veto_rule_silences_the_models_finding(engine: Engine) -> None:
    engine_with_veto_words = Engine()
    engine_with_veto_words.risk = tiny_model({"pizza": {"abuse": 0.95}})
    assert engine_with_veto_words.review("pizza").action == "flag"
    assert engine_with_veto_words.review("i could murder a pizza").action == "allow"


def test_a_streets_name_is_never_abuse_on_its_own_and_never_hides_a_disclosure_beside_it():
    # A model that learned "church" from disclosures about a church must not call a child's
    # "my nan lives on church street" abuse (a cry for help is shown as written to the other
    # member of a bubble or message, address and all); a disclosure beside it is still read.
    street_words = Engine()
    street_words.risk = tiny_model({"church": {"abuse": 0.95}, "hurtword": {"abuse": 0.95}})
    assert street_words.review("church").categories == ("abuse",)
    assert street_words.review("my nan lives on church street").action == "allow"
    beside = street_words.review("my nan lives on church street hurtword")
    assert beside.action == "flag" and beside.categories == ("abuse",)


@pytest.mark.parametrize(
    ("text", "action", "severity"),
    [
        ("killing", "flag", 1),
        # The veto's words alone: nothing is left for the model to read.
        ("this homework is killing me", "allow", 0),
        # A veto silences only its own words: the rest of the message is still read, at the
        # usual bar ("glumword" alone is an unsure cry for help; with "killing" it is sure).
        ("this homework is killing me glumword", "flag", 1),
        ("killing me glumword", "flag", 3),
        ("this homework is killing me lowword", "allow", 0),
    ],
)
def test_a_veto_silences_its_own_words_never_the_rest_of_the_message(
    text: str, action: str, severity: int
) -> None:
    vetoed_words = Engine()
    vetoed_words.risk = tiny_model(
        {
            "killing": {"self_harm": 0.6},
            "glumword": {"self_harm": 0.6},
            "lowword": {"self_harm": 0.3},
        }
    )
    verdict = vetoed_words.review(text)
    assert (verdict.action, verdict.severity) == (action, severity)
    if action == "flag":
        assert verdict.categories == ("self_harm",) and verdict.shown == text


CRIES_WITH_SWEARING = [
    "i want to fucking die",
    "fuck this i took a load of pills last night",
    "i cut myself again ffs this is shit",
    "my dad fucking hits me when hes drunk",
    "fml i dont want to be alive anymore",
    "i wanna kill myself fr this shit is too much",
]


@pytest.mark.parametrize("text", CRIES_WITH_SWEARING)
def test_a_cry_for_help_with_swearing_is_flagged_and_shown_never_blocked(text: str) -> None:
    verdict = review(text, "bubble")
    assert verdict.action == "flag" and verdict.is_cry_for_help, verdict.reason
    assert verdict.shown == text


CHILDRENS_SPELLING = [
    "evry1 would be better off without me",
    "i took loads of my mums tablets dont tell any1",
    "stood on the bridge for ages 2nite thinking about it",
    "mum hasnt been home in dayz theres no food",
]


@pytest.mark.parametrize("text", CHILDRENS_SPELLING)
def test_the_learned_tier_hears_a_cry_for_help_in_childrens_spelling(text: str) -> None:
    verdict = review(text)
    assert verdict.action == "flag" and verdict.is_cry_for_help, verdict.reason


def test_a_risk_model_file_that_does_not_match_its_checksum_is_refused(tmp_path: Path) -> None:
    exported = json.loads(gzip.decompress(MODEL_FILE.read_bytes()))
    exported["bias"][0] += 1
    changed = tmp_path / MODEL_FILE.name
    changed.write_bytes(gzip.compress(json.dumps(exported).encode()))
    checksum = MODEL_FILE.with_name(MODEL_FILE.name + ".sha256").read_text()
    (tmp_path / (MODEL_FILE.name + ".sha256")).write_text(checksum)
    with pytest.raises(ValueError, match="checksum"):
        RiskModel.load(changed)


def test_the_committed_risk_model_loads_and_a_flood_adds_up_to_nothing() -> None:
    model = RiskModel.load()
    assert model.assess([b"abc" * 600]) == ()
    assert model.assess([b"hello"] * 500) == ()


SUMMED = [
    "hello",
    "i miss my nan so much",
    "nobody at home feeds me and i am scared to go back",
    "no no no no no no no no",
    "on saturday we walked the dog down the lane to the park and my little brother fell in a "
    "puddle and cried all the way home, then mum made pancakes and we watched a film, it was "
    "a good day even though it rained and my trainers got soaked and the dog rolled in mud",
]


@pytest.mark.parametrize("text", SUMMED)
def test_the_engine_sums_exactly_the_features_the_trainer_sees(text: str) -> None:
    """The engine's score is the trainer's: bias plus every feature of ``features`` times
    its exported weight, so a model trained on one sum never runs on another."""
    exported = json.loads(gzip.decompress(MODEL_FILE.read_bytes()))
    scale = exported["scale"]
    tables = {
        "w": exported["words"],
        "g": exported["grams"],
        "p": exported["pairs"],
    }
    words = words_of(normalise(text))
    expected = [bias / scale for bias in exported["bias"]]
    for key, count in features(words).items():
        kind, _, name = key.partition(":")
        values = tables[kind].get(name, [0] * len(RISK_CATEGORIES))
        added = zip(expected, values, strict=True)
        expected = [total + count * value / scale for total, value in added]
    assert RiskModel(exported).logits(words) == pytest.approx(expected, abs=1e-9)
