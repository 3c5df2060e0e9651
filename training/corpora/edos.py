"""EDOS, SemEval-2023 Task 10 (Kirk et al.): Explainable Detection of Online Sexism.

Every sexist post attacks women for their gender, so its target group is `gender`. Category 1
(threats, plans to harm and incitement) is incitement; 3.1 (casual use of gendered slurs and
profanities) reads as vulgar insult more than an attack on women as a group, so `offensive`;
the other categories are discriminatory language about women, so `hate_speech`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("edos/edos_train_dev.csv",)
_GENDER = frozenset({"gender"})


def convert(row: dict[str, Any]) -> Record | None:
    if row["label_sexist"] == "not sexist":
        return Record(Label.NONE)
    vector = str(row["label_vector"])
    if vector.startswith("1."):
        return Record(Label.INCITEMENT, _GENDER, call_to_violence=True, dehumanisation=None)
    if vector.startswith("3.1"):
        return Record(Label.OFFENSIVE, call_to_violence=False, dehumanisation=False)
    dehumanising = vector.startswith("2.3")
    return Record(Label.HATE_SPEECH, _GENDER, call_to_violence=False, dehumanisation=dehumanising)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", "label_sexist", "label_vector"])
    return to_records(table, "edos", "text", convert)
