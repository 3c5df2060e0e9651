"""HatEval 2019, Spanish (Basile et al., SemEval-2019 Task 5): tweets about women and
immigrants; train and dev files only, never the test file (CC BY-NC 4.0: non-commercial).

`HS` 0 is none. `HS` 1 with `TR` 0 (a group) is hate speech, `AG` (aggressive) or not: the
task's `AG` covers hostile or harmful tone "up to" inciting violence, so it does not single out
the call on an audience to discriminate, act with hostility or use violence that Rabat's
incitement asks for (docs/corpora.md). `HS` 1 with `TR` 1 (a single individual, mostly insults
at one woman) is offensive: Rabat's hate speech attacks a group for who it is, and abuse of one
person is offensive (as OLID's IND and Toxic Spans' threats against anyone). The target of a hate
row is women or immigrants, but the file does not say which, so it stays unknown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, has_words, read_table, to_records

FILES = ("hateval2019-es/hateval2019_es_train.csv", "hateval2019-es/hateval2019_es_dev.csv")
COLUMNS = ["text", "HS", "TR", "AG"]


def convert(row: dict[str, Any]) -> Record | None:
    if not has_words(str(row["text"])):
        return None
    if int(row["HS"]) == 0:
        return Record(Label.NONE)
    if int(row["TR"]) == 1:
        return Record(Label.OFFENSIVE)
    return Record(Label.HATE_SPEECH)


def load(data_dir: Path) -> datasets.Dataset:
    parts = [
        to_records(read_table(data_dir / name, COLUMNS), "hateval2019_es", "text", convert, "es")
        for name in FILES
    ]
    return datasets.concatenate_datasets(parts)
