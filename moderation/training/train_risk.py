"""Train the learned risk tier and export it for ``moderation.engine.risk``.

    .venv/bin/python -m moderation.training.train_risk [--folds 5] [--check]

Data: ``moderation/data/training_messages.jsonl`` (built by ``corpus.py``) and
``moderation/data/labelled_messages.jsonl``. Never the frozen blind split in
``moderation/data/blind/``: it measures the result and is not read here.

Model: one logistic regression per risk category (scikit-learn, liblinear, balanced class
weights) over the features of ``moderation.engine.risk.features``: words, adjacent word pairs,
letter 3- and 4-grams of each word, as counts.

Thresholds: out-of-fold probabilities from group k-fold (a hand-written line and all its voices
are held out together, so the figures are for sentences the model never saw) choose, per
category, ``low`` (the highest probability that still keeps out-of-fold recall at
``--recall``, but never one that stops more than ``--max-fp`` of the messages without that
category) and ``high`` (the probability at which out-of-fold false positives fall to
``HIGH_FP``). The figures are printed.

Output: ``moderation/data/risk_model.json.gz`` (weights as integers over ``SCALE``, features
whose weights are all tiny dropped) and its ``.sha256``, which the engine checks at load.
``--check`` trains and prints without writing.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from moderation.engine.normalise import normalise
from moderation.engine.risk import MODEL_FILE, RISK_CATEGORIES, features, words_of

DATA = Path(__file__).resolve().parents[1] / "data"
SOURCES = (DATA / "training_messages.jsonl", DATA / "labelled_messages.jsonl")
SCALE = 1000  # weights are stored as integers: weight * SCALE
MIN_WEIGHT = 3  # features whose every category weight is under this (over SCALE) are dropped
HIGH_FP = 0.002
C = 0.5


def load_rows() -> list[dict]:
    """Training rows with a ``group`` (the hand-written line they come from)."""
    rows: list[dict] = []
    for path in SOURCES:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if line.strip():
                    row = json.loads(line)
                    row.setdefault("group", f"{path.stem}:{number}")
                    rows.append(row)
    return rows


def design(rows: list[dict]) -> tuple[DictVectorizer, object, np.ndarray]:
    vectoriser = DictVectorizer(dtype=np.float32)
    matrix = vectoriser.fit_transform(features(words_of(normalise(row["text"]))) for row in rows)
    matrix = matrix.tocsr()
    matrix.indices = matrix.indices.astype(np.int32)  # liblinear takes 32-bit indices only
    matrix.indptr = matrix.indptr.astype(np.int32)
    labels = np.array(
        [[category in row["expected"] for category in RISK_CATEGORIES] for row in rows],
        dtype=np.int8,
    )
    return vectoriser, matrix, labels


def fit(matrix: object, target: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", max_iter=2000)
    return model.fit(matrix, target)


def out_of_fold(matrix: object, labels: np.ndarray, groups: list[str], folds: int) -> np.ndarray:
    """Probabilities for each row from a model that never saw its group."""
    probabilities = np.zeros(labels.shape, dtype=np.float64)
    for train, test in GroupKFold(n_splits=folds).split(matrix, groups=groups):
        for index in range(len(RISK_CATEGORIES)):
            model = fit(matrix[train], labels[train, index])
            probabilities[test, index] = model.predict_proba(matrix[test])[:, 1]
    return probabilities


def thresholds(
    probabilities: np.ndarray, labels: np.ndarray, recall: float, max_fp: float
) -> tuple[list[float], list[float]]:
    lows: list[float] = []
    highs: list[float] = []
    for index, category in enumerate(RISK_CATEGORIES):
        positive = probabilities[labels[:, index] == 1, index]
        # Only messages with no risk category at all: calling an abuse disclosure self_harm
        # still flags a cry for help, so it is not a false positive here.
        negative = probabilities[labels.sum(axis=1) == 0, index]
        by_recall = float(np.quantile(positive, 1.0 - recall))
        by_fp = float(np.quantile(negative, 1.0 - max_fp))
        low = min(max(by_recall, by_fp), 0.95)
        high = max(low, float(np.quantile(negative, 1.0 - HIGH_FP)))
        lows.append(round(low, 4))
        highs.append(round(min(high, 0.99), 4))
        print(
            f"  {category:<10} low {low:.3f} (recall {np.mean(positive >= low):.3f}, "
            f"fp {np.mean(negative >= low):.4f})  high {high:.3f} "
            f"(recall {np.mean(positive >= high):.3f}, fp {np.mean(negative >= high):.4f})"
        )
    return lows, highs


def export(
    vectoriser: DictVectorizer,
    models: list[LogisticRegression],
    lows: list[float],
    highs: list[float],
) -> dict[str, object]:
    weights = np.vstack([model.coef_[0] for model in models]).T  # features x categories
    scaled = np.rint(weights * SCALE).astype(int)
    tables: dict[str, dict[str, list[int]]] = {"words": {}, "grams": {}, "pairs": {}}
    names = {"w": "words", "g": "grams", "p": "pairs"}
    for name, row in zip(vectoriser.get_feature_names_out(), scaled, strict=True):
        if np.abs(row).max() < MIN_WEIGHT:
            continue
        kind, _, key = str(name).partition(":")
        tables[names[kind]][key] = [int(value) for value in row]
    return {
        "categories": list(RISK_CATEGORIES),
        "scale": SCALE,
        "bias": [int(round(float(model.intercept_[0]) * SCALE)) for model in models],
        "low": lows,
        "high": highs,
        **tables,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--recall", type=float, default=0.97, help="out-of-fold recall aimed at")
    parser.add_argument("--max-fp", type=float, default=0.01, help="out-of-fold FP allowed")
    parser.add_argument("--check", action="store_true", help="print figures, write nothing")
    args = parser.parse_args()

    rows = load_rows()
    vectoriser, matrix, labels = design(rows)
    groups = [row["group"] for row in rows]
    print(f"{len(rows)} rows, {matrix.shape[1]} features, positives {labels.sum(axis=0)}")
    probabilities = out_of_fold(matrix, labels, groups, args.folds)
    print(f"out-of-fold ({args.folds} folds by hand-written line):")
    lows, highs = thresholds(probabilities, labels, args.recall, args.max_fp)
    models = [fit(matrix, labels[:, index]) for index in range(len(RISK_CATEGORIES))]
    exported = export(vectoriser, models, lows, highs)
    kept = sum(len(exported[name]) for name in ("words", "grams", "pairs"))  # type: ignore[arg-type]
    print(f"kept {kept} of {matrix.shape[1]} features")
    if args.check:
        return 0
    payload = json.dumps(exported, sort_keys=True, separators=(",", ":")).encode()
    data = gzip.compress(payload, compresslevel=9, mtime=0)
    MODEL_FILE.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    checksum = MODEL_FILE.with_name(MODEL_FILE.name + ".sha256")
    checksum.write_text(f"{digest}  {MODEL_FILE.name}\n", encoding="ascii")
    print(f"wrote {MODEL_FILE.name} ({len(data) / 1e6:.2f} MB) sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
