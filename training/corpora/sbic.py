"""Social Bias Inference Corpus (Sap et al. 2020), aggregated dev file.

`offensiveYN` is the share of annotators who found the post offensive (offensive at >= 0.5).
`hasBiasedImplication` is 0 when annotators wrote a biased implication about a group (it is 0
exactly for the posts with a target category): those offensive posts are hate speech, with the
target categories mapped onto ours; other offensive posts are offensive; the rest none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("sbic/SBIC.v2.agg.dev.csv",)
_CATEGORIES = {
    "race": "race_ethnicity",
    "gender": "gender",
    "culture": "religion",
    "disabled": "disability",
    "victim": "other",
    "social": "other",
    "body": "other",
}


def convert(row: dict[str, Any]) -> Record | None:
    if float(row["offensiveYN"]) < 0.5:
        return Record(Label.NONE)
    if int(row["hasBiasedImplication"]) != 0:
        return Record(Label.OFFENSIVE)
    categories = json.loads(row["targetCategory"] or "[]")
    targets = frozenset(_CATEGORIES.get(c, "other") for c in categories)
    return Record(Label.HATE_SPEECH, targets)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(
        data_dir / FILES[0], ["post", "offensiveYN", "hasBiasedImplication", "targetCategory"]
    )
    return to_records(table, "sbic", "post", convert)
