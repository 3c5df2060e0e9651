"""The functional suite: cases generated from templates, scored per category, per language.

    cases = build_cases(data_dir)                 # templates x groups x slurs x obfuscations
    result = score(cases, classifier.predict_proba_fn)   # accuracy per category, and overall
    suites = build_all(data_dir, ("fr", "de"))    # language -> cases
    results = score_languages(suites, predict_proba)     # language -> a `score` result

English is templates.yaml and groups.yaml; the other languages of LANGUAGES are under
languages/<code>/ (spec.py reads and validates them). Slurs are never written in the
repository: they are derived from the corpora at run time (slurs.py), or read from a lexicon
file the user gives (one per line); a language without a derivation has no slur cases unless
a lexicon is given.

Obfuscation categories disguise the [bracketed] word of the derogation and slur templates with
each of the augmenter's obfuscations (training/augment.py): the model learns from those
transformations of corpus rows, and is tested here on different texts (Arabic: no leetspeak,
and an elongation with tatweel; Hindi and Chinese: their script's, disguises.py;
spec.obfuscations).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rabat.labels import LABELS
from training.functional.slurs import derive_slurs, read_lexicon, slurs_for
from training.functional.spec import (
    EXPECTED,
    LANGUAGES,
    OBFUSCATED,
    Disguise,
    files,
    load_spec,
    obfuscations,
)

__all__ = [
    "EXPECTED",
    "GROUPS",
    "LANGUAGES",
    "OBFUSCATED",
    "TEMPLATES",
    "Case",
    "below_floors",
    "build_all",
    "build_cases",
    "derive_slurs",
    "read_lexicon",
    "score",
    "score_languages",
    "table_rows",
]

TEMPLATES, GROUPS = files("en")
_KEY = re.compile(r"\[([^\]]+)\]")


@dataclass(frozen=True)
class Case:
    text: str
    category: str
    expect: str  # a key of EXPECTED
    group: str | None = None
    language: str = "en"


def build_cases(
    data_dir: Path, lexicon: Path | None = None, seed: int = 7, language: str = "en"
) -> list[Case]:
    """Every case of `language`'s suite, in a fixed order."""
    spec = load_spec(language)
    slurs = slurs_for(language, data_dir, spec.identity_words, lexicon)
    cases: list[Case] = []
    for category, found in spec.categories.items():
        for template in found.templates:
            for text, group in spec.fill(template, slurs):
                plain = _KEY.sub(r"\1", text)
                cases.append(Case(plain, category, found.expect, group, language))
    rng = random.Random(seed)
    for kind, disguise in obfuscations(language).items():
        for category in OBFUSCATED:
            for template in spec.categories[category].templates:
                for text, group in spec.fill(template, slurs):
                    hidden = _disguise(text, disguise, rng)
                    cases.append(Case(hidden, f"obfuscation_{kind}", "hateful", group, language))
    return cases


def build_all(
    data_dir: Path, languages: Iterable[str] = LANGUAGES, seed: int = 7
) -> dict[str, list[Case]]:
    """Each language's cases (`build_cases`), slurs derived where the language has a way."""
    return {language: build_cases(data_dir, seed=seed, language=language) for language in languages}


def _disguise(text: str, how: Disguise, rng: random.Random) -> str:
    return _KEY.sub(lambda match: how(match.group(1), rng), text)


def score(
    cases: Sequence[Case], predict: Callable[[list[str]], np.ndarray | Sequence[str]]
) -> dict[str, Any]:
    """Accuracy per category (a case is right when the predicted label is one it expects),
    overall accuracy over all cases, and the mean over categories.

    `predict` gives each text's label (as a served model decides it, operating point included),
    or an n x 4 array of probabilities whose argmax is taken."""
    found = predict([case.text for case in cases])
    if isinstance(found, np.ndarray):
        predicted = [LABELS[i] for i in found.argmax(axis=1)]
    else:
        predicted = [str(label) for label in found]
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


def score_languages(
    cases: Mapping[str, Sequence[Case]],
    predict: Callable[[list[str]], np.ndarray | Sequence[str]],
) -> dict[str, dict[str, Any]]:
    """`score` per language: language -> accuracy per category, overall, and the mean."""
    return {language: score(found, predict) for language, found in cases.items()}


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
