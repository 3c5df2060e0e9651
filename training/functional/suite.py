"""The functional suite: cases generated from templates, scored per category.

    cases = build_cases(data_dir)                 # templates x groups x slurs x obfuscations
    result = score(cases, classifier.predict_proba_fn)   # accuracy per category, and overall

Group names come from groups.yaml. Slurs are never written in the repository: they are derived
from the corpora at run time (`derive_slurs`: words that HateXplain's annotators marked as the
rationale of hate and that are far more frequent in Davidson's hate class than in its other
classes, identity words excepted), or read from a lexicon file the user gives (one per line).

Obfuscation categories disguise the [bracketed] word of the derogation and slur templates with
each of the augmenter's obfuscations (training/augment.py): the model learns from those
transformations of corpus rows, and is tested here on different texts.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from rabat.labels import HATEFUL, LABELS
from training.augment import OBFUSCATIONS

HERE = Path(__file__).parent
TEMPLATES, GROUPS = HERE / "templates.yaml", HERE / "groups.yaml"
OBFUSCATED = ("derogation_emotion", "derogation_attribute", "derogation_dehumanising", "slur")
EXPECTED = {
    "hateful": frozenset(HATEFUL),
    "incitement": frozenset({"incitement"}),
    "not_hateful": frozenset(LABELS) - frozenset(HATEFUL),
}
_KEY = re.compile(r"\[([^\]]+)\]")
MAX_SLURS = 6


@dataclass(frozen=True)
class Case:
    text: str
    category: str
    expect: str  # a key of EXPECTED
    group: str | None = None


def derive_slurs(data_dir: Path, identity_words: Sequence[str]) -> list[str]:
    """Slurs from the corpora (see the module docstring), singular forms, most enriched first."""
    hatexplain = pd.read_csv(data_dir / "hatexplain/train.csv", keep_default_na=False)
    davidson = pd.read_csv(data_dir / "davidson/labeled_data.csv", keep_default_na=False)
    marked = _doc_freq(hatexplain.loc[hatexplain["label"] == 2, "rationale_pos"])
    hate = davidson[davidson["class"] == 0]["tweet"]
    rest = davidson[davidson["class"] != 0]["tweet"]
    in_hate, in_rest = _doc_freq(hate), _doc_freq(rest)
    skip = {w.lower() for w in identity_words}
    scored = []
    for word, count in marked.items():
        if count < 20 or len(word) < 4 or word in skip or in_hate[word] < 15:
            continue
        ratio = ((in_hate[word] + 1) / len(hate)) / ((in_rest[word] + 1) / len(rest))
        if ratio > 6:
            scored.append((ratio, word))
    words = [w for _, w in sorted(scored, reverse=True)]
    singular = [w for w in words if not (w.endswith("s") and w[:-1] in words)]
    return singular[:MAX_SLURS]


def _doc_freq(texts: pd.Series) -> Counter[str]:
    return Counter(w for text in texts for w in set(re.findall(r"[a-z]+", str(text).lower())))


def read_lexicon(path: Path) -> list[str]:
    """One slur per line; blank lines and lines starting with # are skipped."""
    words = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [w for w in words if w and not w.startswith("#")]


def build_cases(data_dir: Path, lexicon: Path | None = None, seed: int = 7) -> list[Case]:
    """Every case of the suite, in a fixed order."""
    templates: dict[str, Any] = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    groups_file: dict[str, Any] = yaml.safe_load(GROUPS.read_text(encoding="utf-8"))
    groups = [name for names in groups_file["groups"].values() for name in names]
    slurs = (
        read_lexicon(lexicon)
        if lexicon is not None
        else derive_slurs(data_dir, groups_file["identity_words"])
    )
    cases: list[Case] = []
    for category, spec in templates.items():
        for template in spec["templates"]:
            for text, group in _fill(template, groups, slurs):
                cases.append(Case(_KEY.sub(r"\1", text), category, spec["expect"], group))
    rng = random.Random(seed)
    for kind, disguise in OBFUSCATIONS.items():
        for category in OBFUSCATED:
            for template in templates[category]["templates"]:
                for text, group in _fill(template, groups, slurs):
                    hidden = _disguise(text, disguise, rng)
                    cases.append(Case(hidden, f"obfuscation_{kind}", "hateful", group))
    return cases


def _disguise(text: str, how: Callable[[str, random.Random], str], rng: random.Random) -> str:
    return _KEY.sub(lambda match: how(match.group(1), rng), text)


def _fill(template: str, groups: list[str], slurs: list[str]) -> list[tuple[str, str | None]]:
    if "{slur}" in template:
        return [(template.replace("{slur}", slur), None) for slur in slurs]
    if "{group}" in template or "{Group}" in template:
        return [
            (template.replace("{group}", g).replace("{Group}", g[0].upper() + g[1:]), g)
            for g in groups
        ]
    return [(template, None)]


def score(
    cases: Sequence[Case], predict_proba: Callable[[list[str]], np.ndarray]
) -> dict[str, Any]:
    """Accuracy per category (a case is right when the predicted label is one it expects),
    overall accuracy over all cases, and the mean over categories."""
    probs = predict_proba([case.text for case in cases])
    predicted = [LABELS[i] for i in np.asarray(probs).argmax(axis=1)]
    right: dict[str, list[bool]] = defaultdict(list)
    for case, label in zip(cases, predicted, strict=True):
        right[case.category].append(label in EXPECTED[case.expect])
    categories = {
        name: {"accuracy": float(np.mean(hits)), "cases": len(hits)} for name, hits in right.items()
    }
    every = [hit for hits in right.values() for hit in hits]
    return {
        "overall": float(np.mean(every)),
        "mean_of_categories": float(np.mean([c["accuracy"] for c in categories.values()])),
        "worst": min(categories, key=lambda n: categories[n]["accuracy"]),
        "cases": len(every),
        "categories": categories,
    }


def below_floors(
    result: dict[str, Any], floors: dict[str, float], default: float | None
) -> dict[str, tuple[float, float]]:
    """Categories whose accuracy is under their floor (`floors`, else `default`): name ->
    (accuracy, floor)."""
    out = {}
    for name, found in result["categories"].items():
        floor = floors.get(name, default)
        if floor is not None and found["accuracy"] < floor:
            out[name] = (found["accuracy"], floor)
    return out


def table_rows(results: dict[str, dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """A table of accuracy per category (rows) and system (columns), overall rows last."""
    systems = list(results)
    head = ["category (cases)", *systems]
    first = results[systems[0]]["categories"]
    rows = [
        [f"{name} ({found['cases']})"]
        + [f"{results[s]['categories'][name]['accuracy']:.3f}" for s in systems]
        for name, found in first.items()
    ]
    rows.append(["overall", *[f"{results[s]['overall']:.3f}" for s in systems]])
    rows.append(
        ["mean of categories", *[f"{results[s]['mean_of_categories']:.3f}" for s in systems]]
    )
    return head, rows
