"""The compiled engine (``moderation/engine/native.py``): the test run reviews with it, it gives
exactly the verdicts plain Python gives, and a build that does not match the sources is never
used."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.machinery
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import moderation.engine
from bench.moderation import build_messages
from moderation.checks import engine_compiled
from moderation.engine import native

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "moderation" / "data"

# Run in a child process with MINIMENTORS_ENGINE=pure: each message's verdict, as JSON.
_PURE_SCRIPT = """
import dataclasses, json, sys
import moderation.engine as engine
assert engine.BUILD.startswith("pure"), engine.BUILD
cases = json.load(open(sys.argv[1], encoding="utf-8"))
out = [dataclasses.asdict(engine.review(text, context, past)) for text, context, past in cases]
json.dump({"build": engine.BUILD, "verdicts": out}, sys.stdout)
"""


def _cases() -> list[tuple[str, str, list[str]]]:
    """Messages of every kind the engine meets: the labelled set, generated chat with things
    to find, a sample of the training corpus, usernames, history, and hostile input."""
    rng = random.Random(5)
    cases: list[tuple[str, str, list[str]]] = []
    with (DATA / "labelled_messages.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            cases.append((row["text"], row.get("context", "general"), []))
    cases.extend((text, "general", []) for text in build_messages(2500, seed=13))
    with (DATA / "training_messages.jsonl").open(encoding="utf-8") as handle:
        training = [json.loads(line) for line in handle]
    for row in rng.sample(training, 2500):
        cases.append((row["text"], row.get("context", "bubble"), []))
    texts = [text for text, _context, _history in cases]
    for _ in range(300):
        cases.append((rng.choice(texts), "bubble", rng.sample(texts, 3)))
    for text in rng.sample(texts, 200):
        cases.append((text.replace(" ", "_")[:30], "username", []))
    cases.extend(
        (text, "general", [])
        for text in [
            "",
            " \u200b ",
            "a" * 20_000,
            "ha" * 3000,
            "\U0001f602" * 40,
            "f\u0430\u0441k you",  # Cyrillic look-alikes
            "0 7 7 0 0 9 0 0 1 2 3",
            "ring me on seven seven double oh nine double oh one two three",
            "sc: amy_1 and my insta is @amy.x",
        ]
    )
    return cases


def test_the_test_run_reviews_with_the_compiled_engine():
    assert moderation.engine.BUILD == "compiled", (
        f"the engine is not compiled ({moderation.engine.BUILD}): run make install"
    )
    where = native.build_dir()
    importlib.import_module("moderation.engine._glance")
    for name in (*native.COMPILED, *native.C_MODULES):
        origin = sys.modules[f"moderation.engine.{name}"].__spec__.origin
        assert origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), origin
        assert Path(origin).is_relative_to(where), origin


def test_compiled_and_plain_python_give_the_same_verdicts(tmp_path):
    cases = _cases()
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    env = {**os.environ, "MINIMENTORS_ENGINE": "pure"}
    result = subprocess.run(
        [sys.executable, "-c", _PURE_SCRIPT, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    pure = json.loads(result.stdout)
    assert pure["build"] == "pure (MINIMENTORS_ENGINE=pure)"
    compiled = [
        json.loads(json.dumps(dataclasses.asdict(moderation.engine.review(t, c, h))))
        for t, c, h in cases
    ]
    assert moderation.engine.BUILD == "compiled"
    differ = [
        (case, want, got)
        for case, want, got in zip(cases, pure["verdicts"], compiled, strict=True)
        if want != got
    ]
    assert not differ, f"{len(differ)} of {len(cases)} verdicts differ; first: {differ[0]}"
    actions = {verdict["action"] for verdict in compiled}
    assert actions == {"allow", "block", "flag"}  # the cases reach every kind of verdict


def _stamp(where: Path, sources: dict[str, str]) -> None:
    where.mkdir(parents=True, exist_ok=True)
    (where / native.STAMP).write_text(json.dumps({"sources": sources}), encoding="utf-8")


def test_a_build_that_does_not_match_the_sources_is_never_used(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("MINIMENTORS_ENGINE", raising=False)
    where = native.build_dir(tmp_path)
    path: list[str] = ["/src"]

    assert native.activate(path, tmp_path) == "pure (not built: run make install)"
    (where).mkdir(parents=True)
    (where / native.STAMP).write_text("{not json", encoding="utf-8")
    assert native.activate(path, tmp_path) == "pure (not built: run make install)"

    changed = {**native.digest(), "gate": "0" * 64}
    _stamp(where, changed)
    assert native.activate(path, tmp_path).startswith("pure (the sources changed")
    _stamp(where, {**native.digest(), "_glance.c": "0" * 64})  # the C source changed
    assert native.activate(path, tmp_path).startswith("pure (the sources changed")

    _stamp(where, native.digest())
    assert native.activate(path, tmp_path).startswith("pure (the build is incomplete")
    assert path == ["/src"]

    modules = where.joinpath(*native.PACKAGE)
    modules.mkdir(parents=True)
    for name in native.COMPILED:
        (modules / f"{name}.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    assert native.activate(path, tmp_path).startswith("pure (the build is incomplete")
    for name in native.C_MODULES:
        (modules / f"{name}.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    monkeypatch.setenv("MINIMENTORS_ENGINE", "pure")
    assert native.activate(path, tmp_path) == "pure (MINIMENTORS_ENGINE=pure)"
    assert path == ["/src"]
    monkeypatch.delenv("MINIMENTORS_ENGINE")
    assert native.activate(path, tmp_path) == "compiled"
    assert path == [str(modules), "/src"]
    assert str(where) in sys.path


def test_check_deploy_warns_when_the_engine_runs_as_plain_python(monkeypatch):
    assert engine_compiled() == []
    monkeypatch.setattr(moderation.engine, "BUILD", "pure (not built: run make install)")
    (warning,) = engine_compiled()
    assert warning.id == "moderation.W001"
    assert "not built" in warning.msg
