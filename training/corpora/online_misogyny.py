"""Online misogyny (Guest et al. 2021): Reddit posts and comments labelled by experts. Only the
`train` split is used: `test` is the published test split.

Misogynistic posts attack women for their gender: threats (`level_3` Threatening_*) are
`incitement` with a call to violence; derogation, pejoratives, treatment and personal attacks on
a woman as a woman are `hate_speech` (gender). A non-misogynistic personal attack is `offensive`;
counter-speech and none of the categories are `none`. In some rows the post continues into the
`image` column, as shipped: the two are joined.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("online-misogyny/final_labels.csv",)
_GENDER = frozenset({"gender"})


def convert(row: dict[str, Any]) -> Record | None:
    level_2, level_3 = str(row["level_2"]), str(row["level_3"])
    if row["level_1"] == "Misogynistic":
        if level_3.startswith("Threatening"):
            return Record(Label.INCITEMENT, _GENDER, call_to_violence=True)
        return Record(Label.HATE_SPEECH, _GENDER, call_to_violence=False)
    if level_2 == "Nonmisogynistic_personal_attack":
        return Record(Label.OFFENSIVE, call_to_violence=False)
    return Record(Label.NONE)


def _text(row: dict[str, Any]) -> dict[str, Any]:
    image = str(row["image"] or "")
    body = str(row["body"] or "")
    return {"text": f"{body} {image}".strip() if image not in ("", "Yes", "No") else body}


def load(data_dir: Path) -> datasets.Dataset:
    columns = ["body", "image", "level_1", "level_2", "level_3", "split"]
    table = read_table(data_dir / FILES[0], columns).filter(lambda row: row["split"] == "train")
    return to_records(table.map(_text), "online_misogyny", "text", convert)
