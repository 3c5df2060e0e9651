"""MLMA (Ousidhoum et al. 2019): the English, French and Arabic files, one recipe each.

`sentiment` joins the labels annotators gave (hateful, offensive, abusive, disrespectful, fearful,
normal). A post that some called `normal` and others harmful is dropped as contested; `hateful`
makes hate speech; any other harmful label makes offensive; `normal` alone is none. The `target`
attribute (origin, gender, ...) and `group` give the target of hate-speech posts.

French and Arabic (`load_fr`, `load_ar`): a harmful post whose target attribute is a protected
characteristic and whose group is a protected group of that attribute (origin: people of African
descent, Arabs, Asians, Hispanics, Indians, immigrants, refugees; religion: Jews, Muslims,
Christians; gender: women; sexual orientation: gay people) is hate speech, whatever harmful label
it got. That is the UN Strategy's definition: pejorative or discriminatory language about a group
on the basis of who they are. Their annotators rarely chose `hateful` (French: 7 % of posts), so
the English mapping taught the model that French and Arabic abuse of a group is merely offensive.
English keeps its mapping: its `disability`/`special_needs` posts are mostly a slur used as a
general insult, and English has hate-speech labels from many other corpora.
"""

from __future__ import annotations

from collections.abc import Callable
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
Converter = Callable[[dict[str, Any]], Record | None]
_PROTECTED_GROUPS = {
    "origin": {"african_descent", "arabs", "asians", "hispanics", "indian/hindu"} | _MIGRANT_GROUPS,
    "religion": {"jews", "muslims", "christian"},
    "gender": {"women"},
    "sexual_orientation": {"gay"},
}


def convert(row: dict[str, Any]) -> Record | None:
    """The English mapping: only `hateful` makes hate speech."""
    return _convert(row, group_harm_is_hate=False)


def convert_group_harm(row: dict[str, Any]) -> Record | None:
    """French and Arabic: any harmful label against a protected group makes hate speech."""
    return _convert(row, group_harm_is_hate=True)


def _convert(row: dict[str, Any], group_harm_is_hate: bool) -> Record | None:
    labels = set(str(row["sentiment"]).split("_"))
    if "normal" in labels:
        return Record(Label.NONE) if labels == {"normal"} else None
    protected = row["group"] in _PROTECTED_GROUPS.get(row["target"], set())
    if "hateful" not in labels and not (group_harm_is_hate and protected):
        return Record(Label.OFFENSIVE)
    group = (
        "migration" if row["group"] in _MIGRANT_GROUPS else _ATTRIBUTES.get(row["target"], "other")
    )
    return Record(Label.HATE_SPEECH, frozenset({group}))


def load(data_dir: Path) -> datasets.Dataset:
    return _load(data_dir / FILES[0], "mlma", "en", convert)


def load_fr(data_dir: Path) -> datasets.Dataset:
    return _load(data_dir / FILES_FR[0], "mlma_fr", "fr", convert_group_harm)


def load_ar(data_dir: Path) -> datasets.Dataset:
    return _load(data_dir / FILES_AR[0], "mlma_ar", "ar", convert_group_harm)


def _load(path: Path, source: str, language: str, mapping: Converter) -> datasets.Dataset:
    table = read_table(path, ["tweet", "sentiment", "target", "group"])
    return to_records(table, source, "tweet", mapping, language=language)
