"""COLD (Chinese offensive language on race, region and gender; Apache-2.0), training file only.

Label 1 is offensive language in a discussion of race, region or gender; the test file's
fine-grained labels show most of it attacks the group (1,819 of 2,107), so it maps to hate speech
against the topic's group (region: other). Label 0 is none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("cold/train.csv",)
_TOPICS = {"race": "race_ethnicity", "gender": "gender", "region": "other"}


def convert(row: dict[str, Any]) -> Record | None:
    if int(row["label"]) != 1:
        return Record(Label.NONE)
    return Record(Label.HATE_SPEECH, frozenset({_TOPICS.get(str(row["topic"]), "other")}))


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["topic", "label", "TEXT"])
    return to_records(table, "cold", "TEXT", convert, language="zh")
