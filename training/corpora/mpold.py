"""MPOLD (Chowdhury et al., LREC 2020): Arabic comments on news posts (Twitter, Facebook,
YouTube); Apache-2.0.

`Majority_Label` (2 of 3 annotators) Non-Offensive is none. An expert subtyped every offensive
comment: `HS` is hate speech (target unknown: the file does not name the group), `V` (vulgar)
is offensive, and `-` (offensive, neither vulgar nor hate: the expert saw it and did not call it
hate) is offensive. The 30 rows the README marks as annotation errors (`expert_marked_error`)
are dropped: their label is known to be wrong and the right one is not given. Mentions, shipped
as `@User.IDX`, become `@User` like every other corpus's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, has_words, read_table, to_records

FILES = ("mpold/Arabic_offensive_comment_detection_annotation_4000_selected.csv",)
SUBTYPE = "Vulgar:V/HateSpeech:HS/None:-"
COLUMNS = ["Comment", "Majority_Label", SUBTYPE, "expert_marked_error"]


def convert(row: dict[str, Any]) -> Record | None:
    if str(row["expert_marked_error"]).strip() == "1" or not has_words(str(row["Comment"])):
        return None
    majority, subtype = str(row["Majority_Label"]).strip(), str(row[SUBTYPE]).strip()
    if majority == "Non-Offensive":
        return Record(Label.NONE)
    if majority != "Offensive":
        raise ValueError(
            f"mpold: expected Majority_Label Offensive or Non-Offensive, found {majority!r}; "
            "is this the MPOLD 4,000-comment file?"
        )
    return Record(Label.HATE_SPEECH if subtype == "HS" else Label.OFFENSIVE)


def _mentions(row: dict[str, Any]) -> dict[str, Any]:
    return {"Comment": str(row["Comment"]).replace("@User.IDX", "@User")}


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], COLUMNS).map(_mentions)
    return to_records(table, "mpold", "Comment", convert, language="ar")
