"""PejorativITy (Italian tweets with a word that can be a pejorative epithet for women; the
README says "CC.BY" without a version). `misogyny` 1 is hate speech against women; 0 is none,
including the tweets that use the loaded word literally (hard negatives).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("pejorativity/pejorativity.csv",)


def convert(row: dict[str, Any]) -> Record | None:
    if int(row["misogyny"]) == 1:
        return Record(Label.HATE_SPEECH, frozenset({"gender"}))
    return Record(Label.NONE)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", "misogyny"])
    return to_records(table, "pejorativity", "text", convert, language="it")
