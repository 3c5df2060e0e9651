"""The Gab Hate Corpus (Kennedy et al. 2022), training file.

`hd` assault on human dignity, `cv` call for violence, `vo` vulgarity or offensive language.
A call for violence is incitement whatever else is marked (the most severe reading wins); an
assault on dignity is hate speech; vulgarity alone is offensive. GHC marks `cv` on every row, so
the call-to-violence signal is known everywhere; it has no target columns in this release.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("gab-hate-corpus/ghc_train.tsv",)


def convert(row: dict[str, Any]) -> Record | None:
    violence = int(row["cv"]) == 1
    if violence:
        label = Label.INCITEMENT
    elif int(row["hd"]) == 1:
        label = Label.HATE_SPEECH
    elif int(row["vo"]) == 1:
        label = Label.OFFENSIVE
    else:
        label = Label.NONE
    return Record(label, call_to_violence=violence)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", "hd", "cv", "vo"], delimiter="\t")
    return to_records(table, "gab_hate", "text", convert)
