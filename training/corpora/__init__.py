"""One recipe per corpus: each maps its file(s) onto Rabat's labels and auxiliary signals.

The mapping decisions and their reasons are tabulated in docs/corpora.md.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import datasets

from training.corpora import (
    davidson,
    edos,
    gab_hate,
    hatemoji,
    hatexplain,
    implicit_hate,
    mlma,
    olid,
    sbic,
)

RECIPES: dict[str, ModuleType] = {
    "davidson": davidson,
    "edos": edos,
    "gab_hate": gab_hate,
    "hatemoji": hatemoji,
    "hatexplain": hatexplain,
    "implicit_hate": implicit_hate,
    "mlma": mlma,
    "olid": olid,
    "sbic": sbic,
}


def recipe(name: str) -> ModuleType:
    """The recipe module of a corpus (`load(data_dir)`, `FILES`); unknown names list known ones."""
    if name not in RECIPES:
        raise ValueError(f"unknown corpus {name!r}: expected one of {sorted(RECIPES)}")
    return RECIPES[name]


def load_corpus(name: str, data_dir: Path) -> datasets.Dataset:
    """Load one corpus by name as unified records."""
    loaded: datasets.Dataset = recipe(name).load(data_dir)
    return loaded
