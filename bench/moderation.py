"""Benchmark the moderation engine against better-profanity on the same messages.

    .venv/bin/python bench/moderation.py [--seconds N] [--messages N]

Prints messages per CPU-second for ``moderation.engine.review`` (both tiers: lexicon and the
learned risk model) and for better-profanity's ``contains_profanity`` (run for a bounded time:
it is slow, and interleaved message by message with the engine so both see the same machine
load), their ratio, microseconds per message per tier, the memory that building the compiled
matcher and the risk model adds (tracemalloc, and RSS), and accuracy: per-category recall,
cries for help not flagged or blocked, false positives on clean and hard-negative messages,
on the training split (``labelled_messages.jsonl`` + ``training_messages.jsonl``) and,
separately, on the frozen blind split (``moderation/data/blind/*.jsonl``: counts only, never
a text).

Exits non-zero when the ratio is under ``TARGET_RATIO`` or the matcher adds ``MEMORY_LIMIT_MB``
or more, so it can be used as a check. Finishes in well under a minute with the defaults.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET_RATIO = 1000.0
MEMORY_LIMIT_MB = 50.0
BLIND_RECALL = 0.95  # each cry-for-help category, on the blind split
BLIND_CLEAN_FP = 0.01
DATA = REPO / "moderation" / "data"
LABELLED = DATA / "labelled_messages.jsonl"
TRAINING = DATA / "training_messages.jsonl"
BLIND = sorted((DATA / "blind").glob("*.jsonl"))
MODEL_SIZE = (DATA / "risk_model.json.gz").stat().st_size
CRIES = {"self_harm", "abuse", "grooming"}
RISK = CRIES | {"bullying"}

# Sentence templates and slot vocabulary for ordinary chat, so most generated messages are
# clean, as real chat is; a tenth get something to find added.
_TEMPLATES = [
    "did anyone watch {show} last night",
    "i'm so {feeling} about {event}",
    "{event} was {adjective} today",
    "has anyone done the {subject} homework yet",
    "my {person} is taking me to {place} at the weekend",
    "who wants to play {game} later",
    "i got {score} in my {subject} test",
    "we're doing {subject} after lunch and i'm {feeling}",
    "that's so {adjective} haha",
    "i can't wait for {event}",
    "my {pet} keeps {pet_doing}",
    "what's everyone doing at the weekend",
    "i love {thing} so much",
    "{name} did you finish the {subject} project",
    "see you at {place} tomorrow",
    "i think {thing} is {adjective} but my {person} doesn't",
    "can someone help me with {subject} please",
    "i'm reading {book} and it's {adjective}",
    "we won our {sport} match {score}",
    "thanks for listening to me today",
    "my {person} made {food} for tea",
    "is it normal to feel {feeling} before {event}",
    "lol same",
    "omg yes",
    "good morning everyone",
]
_SLOTS = {
    "show": ["the football", "strictly", "the new marvel film", "bake off", "that youtube video"],
    "feeling": ["excited", "nervous", "tired", "bored", "happy", "worried", "annoyed"],
    "event": [
        "the school trip",
        "sports day",
        "my birthday",
        "the holidays",
        "the sats",
        "the disco",
    ],
    "adjective": ["funny", "boring", "amazing", "hard", "easy", "weird", "cool", "rubbish"],
    "subject": ["maths", "english", "science", "history", "french", "art", "geography"],
    "person": ["mum", "dad", "nan", "brother", "sister", "uncle", "auntie", "grandad"],
    "place": [
        "the park",
        "the cinema",
        "the beach",
        "town",
        "the football",
        "swimming",
        "the gate",
    ],
    "game": ["minecraft", "roblox", "fortnite", "mario kart", "among us", "fifa"],
    "score": ["9 out of 10", "100 percent", "a merit", "3-1", "2 nil", "full marks"],
    "pet": ["dog", "cat", "hamster", "rabbit", "guinea pig"],
    "pet_doing": ["stealing my socks", "sleeping on my bed", "barking at the postman", "hiding"],
    "thing": ["pizza", "this song", "drawing", "football", "harry potter", "slime", "anime"],
    "book": ["wonder", "holes", "percy jackson", "the hobbit", "diary of a wimpy kid"],
    "sport": ["football", "netball", "hockey", "rugby", "cricket"],
    "food": ["pancakes", "spaghetti", "a roast", "curry", "fish fingers"],
    "name": ["amy", "ben", "jess", "sam", "leo", "mia", "noah", "ruby", "zara", "ali"],
}
_SPICE = [
    "what the fuck",
    "this is shit",
    "f u c k this",
    "you're so ugly nobody likes you",
    "my number is 07700 900123",
    "add me on snap",
    "go to www.coolgames.com",
    "sh1t happens",
    "i want to die",
    "are your parents home",
]


_ENDINGS = ["!", "?", ".", " :)", " 😂", "!!", " lol"]


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_TEMPLATES)
    for slot, values in _SLOTS.items():
        while "{" + slot + "}" in template:
            template = template.replace("{" + slot + "}", rng.choice(values), 1)
    return template


def build_messages(count: int, seed: int = 7) -> list[str]:
    """Deterministic mix: ~90% clean chat, ~10% with something to find; 3-40 words each
    (lengths spread evenly, as in the brief for the benchmark)."""
    rng = random.Random(seed)
    messages: list[str] = []
    for _ in range(count):
        target = rng.randint(3, 40)
        spice = rng.choice(_SPICE) if rng.random() < 0.10 else ""
        ending = "" if spice or rng.random() >= 0.3 else rng.choice(_ENDINGS)
        room = max(3, target - len(spice.split()) - len(ending.split()))
        words: list[str] = []
        while len(words) < room:
            words.extend(_sentence(rng).split())
            words[-1] += rng.choice(["", "", ".", "!", ",", "?"])
        text = " ".join(words[:room]).rstrip(",")
        if spice:
            text = f"{text} {spice}"
        elif ending:
            text = text[0].upper() + text[1:] + ending
        messages.append(text)
    return messages


def read_rows(*paths: Path) -> list[dict]:
    """JSON lines from each path that exists (the blind split may not be there yet)."""
    rows: list[dict] = []
    for path in paths:
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def labelled() -> list[dict]:
    return read_rows(LABELLED)


def accuracy(engine, rows: list[dict], risk_only: bool = False) -> dict[str, object]:
    """Per-category recall, cries for help not flagged (and blocked), stopped clean and
    hard-negative messages. Counts only: never a message's text (the blind split stays
    unread).

    ``risk_only``: rows labelled for the risk categories only (the training corpus, whose
    voices add swearing without labelling it): a message without a risk label counts as a
    false positive only when the verdict names a risk category."""
    positives: Counter[str] = Counter()
    found: Counter[str] = Counter()
    stopped: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    cries = cries_not_flagged = cries_blocked = cries_unsure = cries_found_by_model = 0
    for row in rows:
        verdict = engine.review(row["text"], row.get("context", "general"))
        expected = set(row["expected"])
        kind = row.get("kind") or ("clean" if not expected else "harm")
        if not expected:
            kind = "hard_negative" if kind == "hard_negative" else "clean"
            totals[kind] += 1
            if risk_only:
                wrong = not RISK.isdisjoint(verdict.categories)
            else:
                wrong = verdict.action != "allow"
            stopped[kind] += wrong
            if wrong:
                # Stopped by the risk model alone: every finding that makes it wrong is the model's.
                relevant = [
                    match for match in verdict.matches if not risk_only or match.category in RISK
                ]
                stopped[kind + ":model"] += all(m.source == "model:risk" for m in relevant)
        for category in expected & RISK if risk_only else expected:
            positives[category] += 1
            found[category] += category in verdict.categories
        if expected & CRIES:
            cries += 1
            heard = expected & CRIES & set(verdict.categories)
            cries_found_by_model += bool(heard) and all(
                match.source == "model:risk" for match in verdict.matches if match.category in heard
            )
            cries_not_flagged += verdict.action != "flag"
            cries_blocked += verdict.action == "block"
            cries_unsure += verdict.action == "flag" and verdict.severity == 1
    return {
        "positives": positives,
        "found": found,
        "stopped": stopped,
        "totals": totals,
        "cries": (cries, cries_not_flagged, cries_blocked, cries_unsure, cries_found_by_model),
    }


def print_accuracy(title: str, table: dict[str, object], categories: tuple[str, ...]) -> None:
    positives, found = table["positives"], table["found"]
    stopped, totals = table["stopped"], table["totals"]
    cries, not_flagged, blocked, unsure, by_model = table["cries"]
    print(f"  {title}:")
    print(f"    {'category':<14} {'recall':>7}  found/labelled")
    for category in categories:
        if positives[category]:
            recall = found[category] / positives[category]
            print(f"    {category:<14} {recall:>7.3f}  {found[category]}/{positives[category]}")
    for kind in ("clean", "hard_negative"):
        if totals[kind]:
            share = stopped[kind] / totals[kind]
            counts = f"{stopped[kind]}/{totals[kind]}"
            model_only = stopped[kind + ":model"]
            print(
                f"    false positives, {kind + ':':<15} {counts} ({share:.1%}; by the risk "
                f"model alone {model_only}, with a rule {stopped[kind] - model_only})"
            )
    print(
        f"    cries for help (self_harm/abuse/grooming): {cries}, not flagged {not_flagged}, "
        f"blocked {blocked}, flagged as unsure (severity 1) {unsure}, found by the risk model "
        f"alone {by_model}"
    )


def tier_costs(messages: list[str], seconds: float) -> tuple[float, float, float]:
    """Microseconds per message: lexicon tier alone, whole engine, risk model alone."""
    from moderation.engine import Engine
    from moderation.engine.normalise import normalise
    from moderation.engine.risk import words_of

    lexicon_only = Engine(risk=False)
    whole = Engine()
    model = whole.risk
    words = [words_of(normalise(message)) for message in messages]
    for message, message_words in zip(messages, words, strict=True):
        lexicon_only.review(message)
        whole.review(message)
        model.assess(message_words)
    lexicon_rate, _ = rate(lexicon_only.review, messages, seconds / 3)
    whole_rate, _ = rate(whole.review, messages, seconds / 3)
    model_rate, _ = rate(model.assess, words, seconds / 3)
    return 1e6 / lexicon_rate, 1e6 / whole_rate, 1e6 / model_rate


def rate(function, messages: list[str], seconds: float) -> tuple[float, int]:
    """Messages per CPU-second calling ``function`` over ``messages`` for about ``seconds``.

    CPU time of this process, not wall-clock time: other work on the machine does not count.
    """
    done = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        for message in messages:
            function(message)
        done += len(messages)
        if time.process_time() >= deadline:
            break
    return done / (time.process_time() - start), done


def interleaved(engine, messages: list[str], seconds: float, repeats: int = 20):
    """better-profanity and the engine on the same messages, one message at a time.

    Each message is checked once by better-profanity and ``repeats`` times by the engine,
    back to back, so both see the same machine load; returns both rates (CPU time) and the
    messages checked (as many as better-profanity manages in ``seconds``, at least 30).
    """
    from better_profanity import profanity

    profanity.load_censor_words()
    bp_time = engine_time = 0.0
    checked: list[str] = []
    clock = time.process_time
    for message in messages:
        started = clock()
        profanity.contains_profanity(message)
        middle = clock()
        for _ in range(repeats):
            engine.review(message)
        engine_time += clock() - middle
        bp_time += middle - started
        checked.append(message)
        if bp_time >= seconds and len(checked) >= 30:
            break
    return len(checked) / bp_time, len(checked) * repeats / engine_time, checked


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blind_targets(table: dict[str, object]) -> list[str]:
    """The issue's targets on the blind split: each cry-for-help category's recall at least
    ``BLIND_RECALL``, no cry for help blocked, clean false positives at most ``BLIND_CLEAN_FP``."""
    positives, found = table["positives"], table["found"]
    stopped, totals = table["stopped"], table["totals"]
    _cries, _not_flagged, blocked, _unsure, _by_model = table["cries"]
    missed = []
    for category in sorted(CRIES):
        if positives[category] and found[category] / positives[category] < BLIND_RECALL:
            missed.append(
                f"blind {category} recall {found[category] / positives[category]:.3f} "
                f"< {BLIND_RECALL}"
            )
    if blocked:
        missed.append(f"blind: {blocked} cries for help blocked")
    if totals["clean"] and stopped["clean"] / totals["clean"] > BLIND_CLEAN_FP:
        missed.append(
            f"blind clean false positives {stopped['clean'] / totals['clean']:.1%} "
            f"> {BLIND_CLEAN_FP:.0%}"
        )
    return missed


def blind_report(engine, categories: tuple[str, ...]) -> list[str]:
    """The blind split: each batch on its own (the newest is this release's fresh one), then
    all together with the lexicon tier alone for comparison. Returns the targets missed."""
    if not BLIND:
        print("  frozen blind split: not there (moderation/data/blind/*.jsonl)")
        return ["no blind split"]
    from moderation.engine import Engine

    for path in BLIND:
        batch = read_rows(path)
        print_accuracy(
            f"blind batch {path.name} ({len(batch)} messages, never tuned on)",
            accuracy(engine, batch),
            categories,
        )
    blind = read_rows(*BLIND)
    table = accuracy(engine, blind)
    print_accuracy(
        f"frozen blind split, all batches ({len(blind)} messages, never tuned on)",
        table,
        categories,
    )
    print_accuracy(
        "frozen blind split, lexicon tier alone (for comparison)",
        accuracy(Engine(risk=False), blind),
        categories,
    )
    return blind_targets(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time for the engine run")
    parser.add_argument(
        "--bp-seconds", type=float, default=12.0, help="time for better-profanity (it is slow)"
    )
    parser.add_argument("--messages", type=int, default=20000, help="generated messages")
    parser.add_argument(
        "--accuracy", action="store_true", help="accuracy only: no timing, no better-profanity"
    )
    args = parser.parse_args()
    if args.accuracy:
        from moderation.engine import CATEGORIES, Engine

        engine = Engine()
        print_accuracy("training split: labelled set", accuracy(engine, labelled()), CATEGORIES)
        missed = blind_report(engine, CATEGORIES)
        print("FAILED: " + "; ".join(missed) if missed else "OK")
        return 1 if missed else 0

    # --- memory: build the compiled matcher under tracemalloc --------------------------------
    gc.collect()
    rss_before = rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    from moderation.engine import CATEGORIES, Engine

    engine = Engine()
    build_seconds = time.perf_counter() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = rss_mb()
    matcher_mb = current / 1e6

    messages = build_messages(args.messages)
    rows = labelled()
    training = read_rows(TRAINING)
    mix = messages + [row["text"] for row in rows]
    words = [len(m.split()) for m in messages]

    # warm up caches the way a long-running server has them
    for message in mix:
        engine.review(message)

    engine_rate, engine_count = rate(engine.review, mix, args.seconds)

    # better-profanity is slow: it checks a deterministic sample of the mix for a bounded
    # time, interleaved with the engine on exactly the same messages (see ``interleaved``).
    sample = random.Random(11).sample(mix, 400)
    bp_rate, same_rate, checked = interleaved(engine, sample, args.bp_seconds)
    ratio = same_rate / bp_rate
    checked_words = sum(len(m.split()) for m in checked) / len(checked)

    lexicon_us, whole_us, model_us = tier_costs(random.Random(3).sample(mix, 4000), args.seconds)

    print("MiniMentors moderation benchmark")
    from moderation.engine import BUILD

    print(f"  engine build: {BUILD} (moderation/engine/native.py)")
    print(
        f"  messages: {len(messages)} generated ({min(words)}-{max(words)} words, "
        f"mean {sum(words) / len(words):.1f}) + {len(rows)} labelled"
    )
    print(
        f"  engine.review        {engine_rate:>12,.0f} msgs/s  (whole mix, {engine_count:,} runs)"
    )
    print(
        f"  per message, per tier: lexicon tier {lexicon_us:.1f} us, risk model "
        f"{model_us:.1f} us on its own, whole engine {whole_us:.1f} us "
        f"(so the risk tier adds {whole_us - lexicon_us:.1f} us)"
    )
    print(
        f"  on the same {len(checked)} messages (mean {checked_words:.1f} words): "
        f"engine {same_rate:,.0f} msgs/s, better-profanity {bp_rate:,.1f} msgs/s"
    )
    print(f"  ratio                {ratio:>12,.0f}x   (target >= {TARGET_RATIO:,.0f}x)")
    print(
        f"  matcher memory       {matcher_mb:>12.1f} MB   (tracemalloc current, risk model "
        f"included; peak {peak / 1e6:.1f} MB; RSS +{rss_after - rss_before:.1f} MB; built in "
        f"{build_seconds:.2f}s; target < {MEMORY_LIMIT_MB:.0f} MB)"
    )
    print(f"  risk model: {engine.risk.size:,} weights (file {MODEL_SIZE / 1e6:.2f} MB gzip)")
    print_accuracy(
        f"training split: labelled set ({len(rows)} messages)", accuracy(engine, rows), CATEGORIES
    )
    print_accuracy(
        f"training split: corpus ({len(training)} messages; risk categories only)",
        accuracy(engine, training, risk_only=True),
        CATEGORIES,
    )
    failures = blind_report(engine, CATEGORIES)
    if ratio < TARGET_RATIO:
        failures.append(f"ratio {ratio:.0f}x < {TARGET_RATIO:.0f}x")
    if matcher_mb >= MEMORY_LIMIT_MB:
        failures.append(f"matcher memory {matcher_mb:.1f} MB >= {MEMORY_LIMIT_MB:.0f} MB")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
