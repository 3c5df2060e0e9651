"""MLMA (Ousidhoum et al. 2019): the English, French and Arabic files, one recipe each.

`sentiment` joins the labels annotators gave (hateful, offensive, abusive, disrespectful, fearful,
normal). A post that some called `normal` and others harmful is dropped as contested; `hateful`
makes hate speech; any other harmful label makes offensive; `normal` alone is none. The `target`
attribute (origin, gender, ...) and `group` give the target of hate-speech posts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("mlma/en_dataset.csv",)
FILES_FR = ("mlma/fr_dataset.csv",)
FILES_AR = ("mlma/ar_dataset.csv",)
_ATTRIBUTES = {
    "origin": "race_ethnicity",
    "gender": "gender",
    "sexual_orientation": "sexual_orientation",
    "religion": "religion",
    "disability": "disability",
    "other": "other",
}
_MIGRANT_GROUPS = {"refugees", "immigrants"}


def convert(row: dict[str, Any]) -> Record | None:
    labels = set(str(row["sentiment"]).split("_"))
    if "normal" in labels:
        return Record(Label.NONE) if labels == {"normal"} else None
    if "hateful" not in labels:
        return Record(Label.OFFENSIVE)
    group = (
        "migration" if row["group"] in _MIGRANT_GROUPS else _ATTRIBUTES.get(row["target"], "other")
    )
    return Record(Label.HATE_SPEECH, frozenset({group}))


def load(data_dir: Path) -> datasets.Dataset:
    return _load(data_dir / FILES[0], "mlma", "en")


def load_fr(data_dir: Path) -> datasets.Dataset:
    return _load(data_dir / FILES_FR[0], "mlma_fr", "fr")


def load_ar(data_dir: Path) -> datasets.Dataset:
    return _load(data_dir / FILES_AR[0], "mlma_ar", "ar")


def _load(path: Path, source: str, language: str) -> datasets.Dataset:
    table = read_table(path, ["tweet", "sentiment", "target", "group"])
    return to_records(table, source, "tweet", convert, language=language)
