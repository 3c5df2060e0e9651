"""Uli (Hindi tweets on gendered abuse; CC BY 4.0), training file of question 2: "is the post
gendered abuse when directed at a person of marginalised gender and sexuality?". The majority of
the annotators who answered decides (ties dropped): 1 is hate speech against the gender group,
0 is none. The test files are not read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("uli/train_hi_l2.csv",)
_ANNOTATORS = ("hi_a1", "hi_a2", "hi_a3", "hi_a4", "hi_a5")


def convert(row: dict[str, Any]) -> Record | None:
    votes = [float(row[a]) for a in _ANNOTATORS if str(row[a]).strip() in ("0.0", "1.0")]
    yes, no = sum(votes), len(votes) - sum(votes)
    if yes == no:
        return None
    if yes > no:
        return Record(Label.HATE_SPEECH, frozenset({"gender"}))
    return Record(Label.NONE)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", *_ANNOTATORS])
    return to_records(table, "uli", "text", convert, language="hi")
