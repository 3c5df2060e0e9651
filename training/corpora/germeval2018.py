"""GermEval 2018 offensive language (German tweets; CC BY 4.0), the training file only.

`fine`: ABUSE degrades a person as a member of a disparaged group (hate speech); INSULT and
PROFANITY are offensive; OTHER is none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("germeval2018/germeval2018.training.csv",)
_LABELS = {
    "ABUSE": Label.HATE_SPEECH,
    "INSULT": Label.OFFENSIVE,
    "PROFANITY": Label.OFFENSIVE,
    "OTHER": Label.NONE,
}


def convert(row: dict[str, Any]) -> Record | None:
    label = _LABELS.get(str(row["fine"]).strip())
    return None if label is None else Record(label)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", "coarse", "fine"])
    return to_records(table, "germeval2018", "text", convert, language="de")
