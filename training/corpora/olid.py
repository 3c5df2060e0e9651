"""OLID (Zampieri et al. 2019), OffensEval 2019 training file.

Subtask A: NOT / OFF; B: targeted (TIN) or not (UNT); C: individual (IND), group (GRP), other
(OTH). Offence aimed at a group (GRP: "people considered as a unity due to the same ethnicity,
gender or sexual orientation, political affiliation, religious belief, or something else") is hate
speech with an unknown target group; every other offence is offensive. GRP includes political
groups, which this project does not count as identity: a known source of noise in this mapping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("olid/olid-training-v1.0.tsv",)


def convert(row: dict[str, Any]) -> Record | None:
    if row["subtask_a"] == "NOT":
        return Record(Label.NONE)
    if row["subtask_b"] == "TIN" and row["subtask_c"] == "GRP":
        return Record(Label.HATE_SPEECH)
    return Record(Label.OFFENSIVE)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["tweet", "subtask_a", "subtask_b", "subtask_c"], "\t")
    return to_records(table, "olid", "tweet", convert)
