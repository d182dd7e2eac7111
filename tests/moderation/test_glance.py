"""The engine's first look in C (``moderation/engine/_glance.c``) answers exactly what its
Python definitions answer (``gate.facts_in_python``, ``RiskModel._gate_score``): on every byte,
every short string over the characters that matter, the corpus, generated chat and random text."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest

import moderation.engine._glance as glance  # built by make install (test_native checks it)
from bench.moderation import build_messages
from moderation.engine import gate, risk
from moderation.engine.normalise import normalise
from moderation.engine.risk import words_of
from moderation.engine.tokens import WORD_BYTES

DATA = Path(__file__).resolve().parents[2] / "moderation" / "data"
FACTS = {name: value for name, value in vars(gate).items() if name.startswith("FACT_")}


def _words(lowered: bytes) -> list[bytes]:
    return lowered.translate(WORD_BYTES, b"'").split()


def _texts() -> list[str]:
    rng = random.Random(17)
    texts = [json.loads(line)["text"] for line in (DATA / "labelled_messages.jsonl").open()]
    with (DATA / "training_messages.jsonl").open(encoding="utf-8") as handle:
        training = [json.loads(line)["text"] for line in handle]
    texts.extend(rng.sample(training, 4000))
    texts.extend(build_messages(2000, seed=29))
    return texts


def _agree(lowered: bytes) -> None:
    words = _words(lowered)
    want, got = gate.facts_in_python(lowered, words), glance.facts(lowered, words)
    assert got == want, (
        lowered,
        sorted(name for name, bit in FACTS.items() if (got ^ want) & bit),
    )


def test_the_engine_uses_the_c_version():
    assert gate._facts is glance.facts
    assert risk._gate_total is glance.gate_total


def test_every_fact_is_a_distinct_bit_and_each_is_seen():
    bits = list(FACTS.values())
    assert len(set(bits)) == len(bits) and all(bit & (bit - 1) == 0 for bit in bits)
    seen = 0
    for text in _texts():
        lowered = normalise(text).encode("ascii", "replace")
        seen |= glance.facts(lowered, _words(lowered))
    for lowered in (b"a.0 a!0 http://x #1 aaaaaaaaaaaaaaaaaaaaa !!!!!!!!!!!!!!!! j e s", b"x=1"):
        seen |= glance.facts(lowered, _words(lowered))
    missing = sorted(name for name, bit in FACTS.items() if not seen & bit)
    assert not missing, missing


def test_c_and_python_agree_on_every_byte_and_every_short_string_of_the_characters_that_matter():
    for size in range(25):  # the counts: digits, punctuation and letters in a row
        for unit in (b"0", b"!", b"a", b"a ", b"0a"):
            _agree(unit * size)
    for code in range(256):
        _agree(bytes([code]) * 3)
        _agree(b"a" + bytes([code]) + b"0")
        _agree(b"0" + bytes([code]) + b"a")
    # Every string up to four characters long over one character of each class (and the
    # characters some facts name): the neighbours each fact looks at, in every order.
    alphabet = b"a0@.*!'/ :=#?A"
    for size in range(1, 5):
        for letters in itertools.product(alphabet, repeat=size):
            _agree(bytes(letters))


def test_c_and_python_agree_on_chat_and_on_random_text():
    for text in _texts():
        _agree(normalise(text).encode("ascii", "replace"))
    rng = random.Random(3)
    pieces = [b"a", b"b", b"0", b"7", b" ", b".", b"!", b"*", b"@", b"'", b"/", b":", b"#", b"x"]
    for _ in range(20000):
        _agree(b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))))
        _agree(bytes(rng.randrange(256) for _ in range(rng.randint(0, 30))))


def test_the_gate_sum_in_c_is_the_python_sum_to_the_last_bit():
    model = risk.RiskModel.load()
    rng = random.Random(11)
    texts = _texts()
    vocabulary = sorted({word for text in texts[:3000] for word in words_of(normalise(text))})
    cases = [words_of(normalise(text)) for text in texts]
    for _ in range(3000):  # repeated words: the upper bound, then the set of distinct pairs
        cases.append([rng.choice(vocabulary[:60]) for _ in range(rng.randint(2, 30))])
    bounded = 0
    for words in cases:
        if not words:
            continue
        distinct = set(words)
        want = model._gate_score(words, distinct)
        got = glance.gate_total(
            words,
            distinct,
            model._gate,
            model._gate_pairs,
            model._low_bar,
        )
        if got is None:
            bounded += 1
            assert want == -math.inf, words
        else:
            assert got == want, words  # the same float: same order, same additions
    assert bounded > 100  # the bound settled many of the repeated-word cases
    with pytest.raises(TypeError):
        glance.gate_total(("a",), set(), {}, {}, 0.0)
    with pytest.raises(TypeError):
        glance.facts("text", [])
