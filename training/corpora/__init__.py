"""One recipe per corpus: each maps its file(s) onto Rabat's labels and auxiliary signals, and
carries the corpus's licence (recorded in every model's data manifest and model card).

The mapping decisions and their reasons are tabulated in docs/corpora.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import datasets

from training.corpora import (
    counter_speech,
    davidson,
    edos,
    gab_hate,
    hatemoji,
    hatexplain,
    implicit_hate,
    mlma,
    olid,
    online_misogyny,
    reddit_bias,
    sbic,
    toxic_spans,
)


@dataclass(frozen=True)
class Recipe:
    """How to load a corpus, the files it reads, and the terms it comes under.

    `commercial`: True when the licence allows commercial use, False when it forbids it
    (NonCommercial), None when no licence is stated (check before commercial use)."""

    load: Callable[[Path], datasets.Dataset]
    files: tuple[str, ...]
    licence: str
    commercial: bool | None


RECIPES: dict[str, Recipe] = {
    "davidson": Recipe(davidson.load, davidson.FILES, "MIT", True),
    "edos": Recipe(edos.load, edos.FILES, "CC0-1.0", True),
    "gab_hate": Recipe(gab_hate.load, gab_hate.FILES, "none stated in the copy used", None),
    "hatemoji": Recipe(hatemoji.load, hatemoji.FILES, "CC-BY-4.0", True),
    "hatexplain": Recipe(hatexplain.load, hatexplain.FILES, "MIT", True),
    "implicit_hate": Recipe(implicit_hate.load, implicit_hate.FILES, "CC-BY-4.0", True),
    "mlma": Recipe(mlma.load, mlma.FILES, "MIT", True),
    "olid": Recipe(olid.load, olid.FILES, "CC-BY-4.0", True),
    "sbic": Recipe(sbic.load, sbic.FILES, "CC-BY-4.0", True),
    "toxic_spans": Recipe(toxic_spans.load, toxic_spans.FILES, "CC0-1.0", True),
    "qian_counter_speech": Recipe(
        counter_speech.load_qian, (counter_speech.QIAN,), "CC-BY-NC-4.0", False
    ),
    "hickey_counter_speech": Recipe(
        counter_speech.load_hickey, (counter_speech.HICKEY,), "MIT", True
    ),
    "reddit_bias": Recipe(reddit_bias.load, reddit_bias.FILES, "MIT", True),
    "online_misogyny": Recipe(online_misogyny.load, online_misogyny.FILES, "MIT", True),
}


def recipe(name: str) -> Recipe:
    """The recipe of a corpus; unknown names list the known ones."""
    if name not in RECIPES:
        raise ValueError(f"unknown corpus {name!r}: expected one of {sorted(RECIPES)}")
    return RECIPES[name]


def load_corpus(name: str, data_dir: Path) -> datasets.Dataset:
    """Load one corpus by name as unified records."""
    return recipe(name).load(data_dir)
