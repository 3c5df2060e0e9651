"""Davidson et al. 2017, 'Automated Hate Speech Detection and the Problem of Offensive Language'.

`class`: 0 hate speech, 1 offensive language, 2 neither (crowd majority).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("davidson/labeled_data.csv",)
_LABELS = {
    0: Label.HATE_SPEECH,
    1: Label.OFFENSIVE,
    2: Label.NONE,
}


def convert(row: dict[str, Any]) -> Record | None:
    return Record(_LABELS[int(row["class"])])


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["tweet", "class"])
    return to_records(table, "davidson", "tweet", convert)
