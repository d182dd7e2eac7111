"""The learned risk tier: a linear model over words, word pairs and letter n-grams.

It scores every message for the risk categories (``RISK_CATEGORIES``: self_harm, abuse,
grooming, bullying) and generalises to spellings and wordings no phrase file lists ("evry1",
"stood on the bridge for ages", a disclosure with swearing in it).

Model (trained offline by ``moderation/training/train_risk.py`` with scikit-learn, from the
data in ``moderation/data``; the weights are committed with their SHA-256 checksum):

    score(category) = bias + sum over distinct words w of  weight(w)
                           + sum over distinct adjacent word pairs p of weight(p)
    weight(w) = weight of the word itself + weights of its letter 3- and 4-grams (" evr", ...)

so a message's score is a sum of per-word and per-pair terms. At run time each word's
vector (one weight per category) is worked out once and cached, and a message costs one
dictionary look-up per word and per pair and four sums, all in C-implemented ``map``/``sum``
(a few microseconds). Before that a *gate* (one "any risk" weight per word and pair, trained
with the model; its threshold sits under nearly every gate score of the training messages
the model flags) settles most chat with two sums. The logistic function only runs when a
score is over its category's threshold.

Words are the engine's gate words: the normalised text as ASCII bytes, lowercase letters and
digits only, apostrophes dropped, anything else a separator (``words_of``).

Contracts: Python only, no third-party imports; ``RiskModel.load`` raises ``ValueError`` when
the model file does not match its checksum (a corrupt or hand-edited model never runs);
``assess`` never raises and returns findings only for categories at or over their threshold.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections.abc import Collection, Iterable, Sequence
from itertools import repeat
from operator import sub
from pathlib import Path
from typing import NamedTuple, cast

from .paths import DATA_DIR
from .tokens import WORD_BYTES

try:  # the gate's sum in C, when the compiled engine is built (``native.py``)
    from ._glance import gate_total as _gate_total
except ImportError:  # plain Python: the same sum (``RiskModel._gate_score``)
    _gate_total = None  # type: ignore[assignment]

__all__ = [
    "MODEL_FILE",
    "NEVER",
    "RISK_CATEGORIES",
    "RiskFinding",
    "RiskModel",
    "features",
    "letter_grams",
    "words_of",
]

RISK_CATEGORIES = ("self_harm", "abuse", "grooming", "bullying")
# Disclosures a child makes about themselves (bullying is aimed at someone else).
CRY_CATEGORIES = frozenset({"self_harm", "abuse", "grooming"})
MODEL_FILE = DATA_DIR / "risk_model.json.gz"
_GRAM_LETTERS = 24
_MARGIN = 1e-6  # far over any rounding in a sum of a few hundred weights
NEVER = 1.01  # a bar no probability reaches
_CACHE_LIMIT = 30_000  # words remembered (about 10 MB at most); past it, worked out each time


def words_of(folded: str) -> list[bytes]:
    """The words the model reads, from text already passed through ``normalise``."""
    return folded.encode("ascii", "replace").translate(WORD_BYTES, b"'").split()


def letter_grams(word: bytes) -> list[bytes]:
    """Distinct letter 3- and 4-grams of a word with a space at each end (b" ev", b"evr", ...).

    Only the first ``_GRAM_LETTERS`` letters of a long word are read (no real word is longer;
    a 2,000-letter "word" is a flood, and the lexicon tier deals with floods)."""
    padded = b" " + word[:_GRAM_LETTERS] + b" "
    size = len(padded)
    grams = [padded[i : i + 3] for i in range(size - 2)]
    grams.extend(padded[i : i + 4] for i in range(size - 3))
    return list(dict.fromkeys(grams))


def features(words: Sequence[bytes]) -> dict[str, int]:
    """Feature counts of a message, as the trainer sees them ("w:", "g:", "p:" prefixes).

    Each *distinct* word counts once, with its letter n-grams, and each distinct pair once:
    a word said 500 times weighs what it weighs once (no flood adds up to a finding). Run time
    never builds these strings; it sums the same weights word by word.
    """
    counts: dict[str, int] = {}
    for word in dict.fromkeys(words):
        for key in (f"w:{word.decode()}", *(f"g:{g.decode()}" for g in letter_grams(word))):
            counts[key] = counts.get(key, 0) + 1
    for first, second in dict.fromkeys(zip(words, words[1:], strict=False)):
        key = f"p:{first.decode()} {second.decode()}"
        counts[key] = counts.get(key, 0) + 1
    return counts


class RiskFinding(NamedTuple):
    """A category at or over its threshold; ``sure`` when over the high threshold too."""

    category: str
    probability: float
    sure: bool


class _WordVectors(dict[bytes, tuple[float, ...]]):
    """word -> its weight per category, worked out on a miss (and kept, up to a limit)."""

    def __init__(self, model: RiskModel) -> None:
        super().__init__()
        self.model = model

    def __missing__(self, word: bytes) -> tuple[float, ...]:
        vector = self.model.word_vector(word)
        if len(self) < _CACHE_LIMIT:
            self[word] = vector
        return vector


class _GateWeights(dict[bytes, float]):
    """word -> its "any risk" gate weight (its own plus its letter n-grams'), on a miss."""

    def __init__(self, words: dict[bytes, float], grams: dict[bytes, float]) -> None:
        super().__init__()
        self.words = words
        self.grams = grams

    def __missing__(self, word: bytes) -> float:
        get = self.grams.get
        weight = sum(get(gram, 0.0) for gram in letter_grams(word)) + self.words.get(word, 0.0)
        if len(self) < _CACHE_LIMIT:
            self[word] = weight
        return weight


class RiskModel:
    """The exported weights, ready to score messages (immutable apart from its word cache)."""

    def __init__(self, exported: dict[str, object]) -> None:
        categories = tuple(cast(list[str], exported["categories"]))
        if categories != RISK_CATEGORIES:
            raise ValueError(f"risk model categories {categories} != {RISK_CATEGORIES}")
        scale = float(exported["scale"])  # type: ignore[arg-type]
        self.bias: tuple[float, ...] = tuple(
            value / scale for value in cast(list[float], exported["bias"])
        )
        self.low: tuple[float, ...] = tuple(exported["low"])  # type: ignore[arg-type]
        self.high: tuple[float, ...] = tuple(exported["high"])  # type: ignore[arg-type]
        self._low_logits = tuple(_logit(p) for p in self.low)
        # The lower bar a cry for help must clear to turn a block into an unsure flag
        # (``leaning``); a model file without one uses ``low``.
        self.rescue: tuple[float, ...] = tuple(
            exported.get("rescue", exported["low"])  # type: ignore[arg-type]
        )
        # The bar for a block for a contact detail ("add me on snap"): grooming only (the
        # message stays hidden either way); a model file without one never turns such a block.
        self.contact: tuple[float, ...] = tuple(
            exported.get("contact", (NEVER,) * len(RISK_CATEGORIES))  # type: ignore[arg-type]
        )

        # Weights are integers over ``scale`` with many repeats: one float object per value,
        # one tuple per distinct vector (a quarter of the pairs repeat another's), one bytes
        # object per word and one tuple per pair, shared by every table (half the memory).
        floats: dict[int, float] = {}
        spellings: dict[bytes, bytes] = {}
        vectors: dict[tuple[float, ...], tuple[float, ...]] = {}
        pairs: dict[tuple[bytes, bytes], tuple[bytes, bytes]] = {}

        def vector(values: list[int]) -> tuple[float, ...]:
            made = tuple([floats.setdefault(value, value / scale) for value in values])
            return vectors.setdefault(made, made)

        def table(name: str) -> dict[bytes, tuple[float, ...]]:
            raw: dict[str, list[int]] = exported[name]  # type: ignore[assignment]
            return {spelling(key): vector(values) for key, values in raw.items()}

        def spelling(key: str) -> bytes:
            made = key.encode()
            return spellings.setdefault(made, made)

        def pair(key: str) -> tuple[bytes, bytes]:
            first, second = key.split(" ", 1)
            made = spelling(first), spelling(second)
            return pairs.setdefault(made, made)

        self._word_weights = table("words")
        self._gram_weights = table("grams")
        raw_pairs: dict[str, list[int]] = exported["pairs"]  # type: ignore[assignment]
        self._pairs: dict[tuple[bytes, bytes], tuple[float, ...]] = {
            pair(key): vector(values) for key, values in raw_pairs.items()
        }
        self._zero = (0.0,) * len(RISK_CATEGORIES)
        self._vectors = _WordVectors(self)
        gate: dict[str, object] = exported["gate"]  # type: ignore[assignment]

        def weights(name: str) -> dict[bytes, float]:
            raw: dict[str, int] = gate[name]  # type: ignore[assignment]
            return {
                spelling(key): floats.setdefault(value, value / scale) for key, value in raw.items()
            }

        self._gate = _GateWeights(weights("words"), weights("grams"))
        raw_gate_pairs: dict[str, int] = gate.get("pairs", {})  # type: ignore[assignment]
        self._gate_pairs = {
            pair(key): floats.setdefault(value, value / scale)
            for key, value in raw_gate_pairs.items()
        }
        # The gate's bias folded into its threshold: one sum and one comparison per message.
        self.gate_threshold = (gate["threshold"] - gate["bias"]) / scale  # type: ignore[operator]
        # Under this, even the upper bound of a score settles it (a margin far over rounding).
        self._low_bar = self.gate_threshold - _MARGIN
        self.size = len(self._word_weights) + len(self._gram_weights) + len(self._pairs)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> RiskModel:
        """Read a model file after checking it against ``<file>.sha256`` (``ValueError`` if not)."""
        data = path.read_bytes()
        expected = path.with_name(path.name + ".sha256").read_text(encoding="ascii").split()[0]
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise ValueError(f"{path.name}: checksum {actual} does not match {expected}")
        return cls(json.loads(gzip.decompress(data)))

    def word_vector(self, word: bytes) -> tuple[float, ...]:
        """The word's weight per category: its own weight plus its letter n-grams' (not cached:
        ``logits`` reads words through the cache)."""
        parts = [self._gram_weights.get(gram) for gram in letter_grams(word)]
        parts.append(self._word_weights.get(word))
        found = [part for part in parts if part is not None]
        return tuple(map(sum, zip(*found, strict=True))) if found else self._zero

    def logits(self, words: Sequence[bytes]) -> list[float]:
        """Each category's score (before the logistic), in ``RISK_CATEGORIES`` order.

        Written as maps over C-implemented look-ups and sums: no Python-level loop per word.
        """
        vectors = list(map(self._vectors.__getitem__, set(words)))
        if len(words) > 1:
            pairs = set(zip(words, words[1:]))  # noqa: B905 - one shorter by design
            vectors.extend(map(self._pairs.get, pairs, repeat(self._zero)))
        return list(map(sum, zip(self.bias, *vectors)))  # noqa: B905 - all the same length

    def scores(self, words: Sequence[bytes]) -> tuple[float, ...]:
        """Each category's probability, in ``RISK_CATEGORIES`` order."""
        return tuple(map(_logistic, self.logits(words)))

    def assess(
        self, words: Sequence[bytes], distinct: Collection[bytes] | None = None
    ) -> tuple[RiskFinding, ...]:
        """Categories at or over their low threshold (usually none). ``distinct``: the set of
        ``words``, when the caller has it already."""
        if not words:
            return ()
        if distinct is None:
            distinct = set(words)
        if _gate_total is not None and isinstance(words, list):
            # The same sum in C (``_glance.c``), when the compiled engine is built.
            summed = _gate_total(words, distinct, self._gate, self._gate_pairs, self._low_bar)
            if summed is None or summed < self.gate_threshold:
                return ()
        elif self._gate_score(words, distinct) < self.gate_threshold:
            return ()
        logits = self.logits(words)
        if max(map(sub, logits, self._low_logits)) < 0.0:
            return ()
        found = []
        for category, logit, low, high in zip(
            RISK_CATEGORIES, logits, self.low, self.high, strict=True
        ):
            probability = _logistic(logit)
            if probability >= low:
                found.append(RiskFinding(category, probability, probability >= high))
        return tuple(found)

    def _gate_score(self, words: Sequence[bytes], distinct: Collection[bytes]) -> float:
        """The gate's score without its bias, or ``-inf`` when an upper bound already leaves
        it under ``_low_bar``. ``_glance.gate_total`` is the same sum in C."""
        total: float = sum(map(self._gate.__getitem__, distinct))
        if len(words) > 1:
            pairs: Iterable[tuple[bytes, bytes]] = zip(words, words[1:])  # noqa: B905
            if len(distinct) < len(words):
                # A word said twice may repeat a pair, and each distinct pair counts once.
                # (Otherwise every pair is distinct already. The order of the sum was never
                # fixed: a set's order changes with each process's hash seed.)
                # First an upper bound without the set: every pair's positive weight, repeats
                # counted again, is at least the distinct pairs' sum; when even that leaves the
                # score under the threshold (with a margin far over rounding), nothing is found.
                raised = map(max, map(self._gate_pairs.get, pairs, repeat(0.0)), repeat(0.0))
                bound: float = sum(raised)
                if total + bound < self._low_bar:
                    return -math.inf
                pairs = set(zip(words, words[1:]))  # noqa: B905
            total += sum(map(self._gate_pairs.get, pairs, repeat(0.0)))
        return total

    def leaning(
        self, words: Sequence[bytes], bars: Sequence[float] | None = None
    ) -> tuple[RiskFinding, ...]:
        """The cries for help (``CRY_CATEGORIES``) the message leans to: probability at or
        over its bar in ``bars`` (by default ``rescue``, which is under ``low``; ``contact``
        for a block for a contact detail). Asked only of a message about to be blocked: a
        child in distress who swears must reach a counsellor rather than read "your message
        had a rude word", and a groomer's "add me on snap" must reach one too. Always unsure
        (severity 1)."""
        if not words:
            return ()
        found = []
        for category, logit, rescue in zip(
            RISK_CATEGORIES, self.logits(words), bars or self.rescue, strict=True
        ):
            if category in CRY_CATEGORIES:
                probability = _logistic(logit)
                if probability >= rescue:
                    found.append(RiskFinding(category, probability, False))
        return tuple(found)


def _logistic(value: float) -> float:
    if value < -40.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-value))


def _logit(probability: float) -> float:
    return math.log(probability / (1.0 - probability))
