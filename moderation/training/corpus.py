"""Build the training corpus for the learned risk tier from hand-written messages.

    .venv/bin/python -m moderation.training.corpus

Reads ``moderation/data/corpus/<kind>.txt`` (one hand-written message per line: ``self_harm``,
``abuse``, ``grooming``, ``bullying``, ``hard_negative``, ``clean``) and writes
``moderation/data/training_messages.jsonl``: every message in several voices (txt speak,
misspellings, no punctuation, an opener or a closer, swearing, mixed into ordinary chat).
``EVERYDAY`` template-made everyday messages are added (``everyday.py``), half of them in a
voice too. Each row is ``{"text", "context", "expected", "kind", "group"}``; ``group`` names the
hand-written line it came from, so that cross-validation can hold out whole lines and measure
how the model does on sentences it has never seen in any voice.

The output is deterministic (one seeded random generator); the voices are applied in the same
proportions to risk messages, hard negatives and clean chat, so that a voice (swearing, txt
speak) never tells the model the label by itself.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

from moderation.training.everyday import everyday_rows

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "corpus"
OUTPUT = DATA / "training_messages.jsonl"
EVERYDAY = 6000  # template-made everyday messages (see everyday.py)

# kind -> (categories expected, variants made of each hand-written line)
KINDS: dict[str, tuple[tuple[str, ...], int]] = {
    "self_harm": (("self_harm",), 14),
    "abuse": (("abuse",), 14),
    "grooming": (("grooming",), 14),
    "bullying": (("bullying",), 14),
    "hard_negative": ((), 14),
    "clean": ((), 10),
}

# Whole-word txt-speak spellings children use (each word: several ways to write it).
TXT_SPEAK: dict[str, tuple[str, ...]] = {
    "everyone": ("evry1", "every1", "evryone", "everyon"),
    "someone": ("sum1", "some1", "smone"),
    "anyone": ("any1", "ne1", "anyon"),
    "you": ("u", "ya", "yu"),
    "your": ("ur", "yor"),
    "you're": ("ur", "youre", "u r"),
    "are": ("r",),
    "to": ("2", "to"),
    "for": ("4",),
    "because": ("cos", "coz", "bc", "cus", "becoz"),
    "tonight": ("2nite", "tonite", "2night"),
    "tomorrow": ("tmrw", "2moro", "tomoz"),
    "before": ("b4",),
    "people": ("ppl",),
    "really": ("rly", "rlly", "reli"),
    "please": ("pls", "plz", "pleaseee"),
    "don't": ("dont", "dnt", "don"),
    "dont": ("dnt", "dont"),
    "i'm": ("im", "i am", "ima"),
    "im": ("i'm", "am"),
    "know": ("no", "kno", "knw"),
    "with": ("wiv", "w", "wif"),
    "what": ("wot", "wat", "wht"),
    "myself": ("myslf", "meself", "my self"),
    "going to": ("gonna", "gunna", "goin 2"),
    "want to": ("wanna", "wana", "want 2"),
    "about": ("abt", "bout"),
    "something": ("smth", "sumthin", "summat"),
    "probably": ("prob", "probs"),
    "though": ("tho",),
    "love": ("luv",),
    "night": ("nite",),
    "why": ("y",),
    "thanks": ("thx", "ta"),
    "mum": ("mam", "mom", "mummy"),
    "and": ("n", "&"),
    "have": ("av", "hav"),
    "can't": ("cant", "carnt", "cnt"),
    "didn't": ("didnt", "dint"),
    "nobody": ("no one", "noone", "nobdy"),
    "that": ("dat", "tht"),
    "the": ("da", "th"),
    "school": ("skl", "skool"),
    "friend": ("frend", "m8"),
    "anymore": ("any more", "nemore", "anymoree"),
    "sorry": ("soz", "sry"),
    "pictures": ("pics", "pix"),
    "photos": ("pics", "fotos"),
}

OPENERS = (
    "tbh",
    "honestly",
    "idk",
    "ngl",
    "not gonna lie",
    "um",
    "so",
    "ok so",
    "random but",
    "lol ok so",
    "can i say something",
    "hiya",
    "hey",
    "well",
    "basically",
    "tbf",
)
CLOSERS = (
    "lol",
    "idk",
    "x",
    "haha",
    "anyway",
    ":(",
    ":)",
    "...",
    "ngl",
    "tbh",
    "whatever",
    "innit",
)
# Said only around a disclosure: real signals, so they go with risk kinds only.
RISK_CLOSERS = (
    "dont tell anyone",
    "pls dont tell my mum",
    "idk what to do",
    "is that normal",
    "what do i do",
    "please help",
    "i havent told anyone",
    "sorry for saying this",
    "i just needed to tell someone",
    "im scared",
)
RISK_OPENERS = (
    "can i tell you something",
    "i need to tell someone",
    "this is hard to say but",
    "dont judge me but",
    "i never told anyone this but",
    "i know this sounds stupid but",
    "sorry to bother you but",
)
SWEARS = ("fucking", "fuckin", "shit", "bloody", "effing", "sodding", "f***ing")
SWEAR_LINES = ("fuck this", "ffs", "fml", "this is shit", "wtf", "fuck my life", "oh shit")


def read_lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a corpus file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def txt_speak(text: str, rng: random.Random, rate: float = 0.7) -> str:
    """Replace known words by a txt-speak spelling (each with probability ``rate``)."""
    for word, spellings in TXT_SPEAK.items():
        pattern = re.compile(rf"\b{re.escape(word)}\b")

        def respell(match: re.Match[str], spellings: tuple[str, ...] = spellings) -> str:
            return rng.choice(spellings) if rng.random() < rate else match.group()

        text = pattern.sub(respell, text)
    return text


def misspell(text: str, rng: random.Random, rate: float = 0.2) -> str:
    """Typos: a letter dropped, doubled, swapped with the next, or a vowel changed."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) < 4 or not word.isalpha() or rng.random() >= rate:
            continue
        at = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            word = word[:at] + word[at + 1 :]
        elif kind == 1:
            word = word[:at] + word[at] + word[at:]
        elif kind == 2:
            word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
        else:
            word = re.sub("[aeiou]", lambda _m: rng.choice("aeiou"), word, count=1)
        words[index] = word
    return " ".join(words)


def swear(text: str, rng: random.Random) -> str:
    """Swearing added: before a word, or as a line of its own at either end."""
    words = text.split(" ")
    choice = rng.randrange(3)
    if choice == 0 and len(words) > 2:
        at = rng.randrange(1, len(words))
        words.insert(at, rng.choice(SWEARS))
        return " ".join(words)
    if choice == 1:
        return f"{rng.choice(SWEAR_LINES)} {text}"
    return f"{text} {rng.choice(SWEAR_LINES)}"


def voices(text: str, kind: str, clean: list[str], rng: random.Random) -> Iterator[str]:
    """Endless variants of one hand-written message (the first is the message itself)."""
    yield text
    risky = kind not in ("clean", "hard_negative")
    while True:
        variant = text
        if rng.random() < 0.5:
            variant = txt_speak(variant, rng)
        if rng.random() < 0.4:
            variant = misspell(variant, rng)
        if rng.random() < 0.25:
            variant = swear(variant, rng)
        roll = rng.random()
        if roll < 0.2:
            variant = f"{rng.choice(OPENERS)} {variant}"
        elif roll < 0.3 and risky:
            variant = f"{rng.choice(RISK_OPENERS)} {variant}"
        roll = rng.random()
        if roll < 0.2:
            variant = f"{variant} {rng.choice(CLOSERS)}"
        elif roll < 0.32 and risky:
            variant = f"{variant} {rng.choice(RISK_CLOSERS)}"
        if rng.random() < 0.35:
            # Mixed into ordinary chat, for every kind alike, so that length says nothing.
            others = rng.sample(clean, rng.choice((1, 1, 2, 3, 4)))
            at = rng.randrange(len(others) + 1)
            variant = ". ".join([*others[:at], variant, *others[at:]])
        if rng.random() < 0.3:
            variant = variant.replace("'", "")
        if rng.random() < 0.2:
            variant = variant[:1].upper() + variant[1:] + rng.choice([".", "!", "?", "!!", ".."])
        elif rng.random() < 0.03:
            variant = variant.upper()
        yield variant


def build(seed: int = 13) -> list[dict[str, object]]:
    """Every corpus row, deduplicated, in a stable order."""
    rng = random.Random(seed)
    clean = read_lines(CORPUS / "clean.txt")
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for kind, (expected, count) in KINDS.items():
        for number, line in enumerate(read_lines(CORPUS / f"{kind}.txt")):
            made = 0
            for attempt, variant in enumerate(voices(line, kind, clean, rng)):
                if made >= count or attempt > count * 4:
                    break
                key = variant.lower()
                if key in seen:
                    continue
                seen.add(key)
                made += 1
                rows.append(
                    {
                        "text": variant,
                        "context": "general",
                        "expected": list(expected),
                        "kind": kind,
                        "group": f"{kind}:{number}",
                    }
                )
    for row in everyday_rows(EVERYDAY, rng):
        if rng.random() < 0.5:
            # One voice (txt speak, typos, swearing...) as for every other kind.
            variants = voices(str(row["text"]), "clean", clean, rng)
            next(variants)
            row["text"] = next(variants)
        rows.append(row)
    return rows


def main() -> None:
    rows = build()
    with OUTPUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {OUTPUT.relative_to(DATA.parent.parent)}")


if __name__ == "__main__":
    main()
