"""How the learned risk tier's findings join the rules' findings.

Rules can force a verdict both ways:

- a rule's finding of a category (phrase pattern, word list, conversation check) always stands,
  with the rule's severity; the model adds nothing to a category a rule already found;
- a *veto* pattern (``data/vetoes/<category>.txt``, the phrase-file syntax) silences what the
  model reads in its words ("my mum will kill me if I'm late", "I could murder a pizza", "I cut
  my hair myself"): the model reads the message again without them, and its finding of that
  category stands only if the other words still clear the usual bar (``low``). So "my mum will
  kill me if I'm late" is allowed, but "my mum will kill me if I'm late, I took all her pills"
  is still flagged, by the model as by a rule. Vetoes never silence a rule.

A model finding becomes a ``Hit`` over the whole message (the model reads all of it) with
source ``"model:risk"``: severity 3 when sure (2 for bullying), 1 when unsure, action ``flag``
(``verdict.py`` turns a cry for help into a flag showing the original text, grooming into a
flag shown as ``*inappropriate*``, bullying into a flag shown as ``*blocked*``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .paths import DATA_DIR
from .patterns import PhraseSet, load_macros, load_phrase_file
from .risk import RISK_CATEGORIES, RiskFinding, RiskModel
from .tokens import word_range
from .verdict import Hit, make_match

__all__ = ["SOURCE", "load_vetoes", "risk_hits"]

SOURCE = "model:risk"
_SURE_SEVERITY = {"bullying": 2}


def load_vetoes() -> PhraseSet:
    """Every veto pattern, its category named by its file (``data/vetoes/<category>.txt``)."""
    macros = load_macros(DATA_DIR / "phrases" / "macros.txt")
    phrases = []
    for category in RISK_CATEGORIES:
        path = DATA_DIR / "vetoes" / f"{category}.txt"
        if path.exists():
            phrases.extend(load_phrase_file(path, category, macros, f"veto:{category}"))
    return PhraseSet(phrases)


def vetoed(vetoes: PhraseSet, words: Sequence[bytes]) -> dict[str, set[int]]:
    """Categories whose veto patterns match these gate words, each with the positions (in
    ``words``) of the words its matches cover."""
    texts = [word.decode() for word in words]
    words_text = " " + " ".join(texts) + " "
    covered: dict[str, set[int]] = {}
    for phrase, start, end in vetoes.find(words_text, set(texts)):
        first, last = word_range(words_text, start, end)
        covered.setdefault(phrase.category, set()).update(range(first, last))
    return covered


def _outside_veto(
    finding: RiskFinding, words: Sequence[bytes], covered: set[int], model: RiskModel
) -> RiskFinding | None:
    """The finding as the model makes it from the words no veto covers, if it clears ``low``."""
    kept = [word for index, word in enumerate(words) if index not in covered]
    if not kept:
        return None
    index = RISK_CATEGORIES.index(finding.category)
    probability = model.scores(kept)[index]
    if probability < model.low[index]:
        return None
    return RiskFinding(finding.category, probability, probability >= model.high[index])


def risk_hits(
    findings: Iterable[RiskFinding],
    found_by_rules: frozenset[str],
    words: Sequence[bytes],
    length: int,
    vetoes: PhraseSet,
    model: RiskModel,
) -> list[Hit]:
    """Hits for the model's findings that no rule made and that stand outside any veto."""
    new = [finding for finding in findings if finding.category not in found_by_rules]
    if not new:
        return []
    silenced = vetoed(vetoes, words)
    hits = []
    for finding in new:
        if finding.category in silenced:
            outside = _outside_veto(finding, words, silenced[finding.category], model)
            if outside is None:
                continue
            finding = outside
        category = finding.category
        severity = _SURE_SEVERITY.get(category, 3) if finding.sure else 1
        how = "sure" if finding.sure else "unsure"
        label = f"{category} (risk model, {how}, p={finding.probability:.2f})"
        match = make_match(category, 0, length, "risk model", SOURCE)
        hits.append(Hit(match, label, "flag", severity))
    return hits
