"""HaSpeeDe 2 (Sanguinetti et al., EVALITA 2020): Italian tweets about immigrants, Muslims and
Roma; the training file only (CC BY-NC-SA 4.0: non-commercial).

`hs` 1 is hate speech; its target is one of migration, religion or race_ethnicity (Roma), but
the file does not say which, so it stays unknown. `hs` 0 is none, the stereotype-only rows
included: the annotators judged a stereotype without hate not to be hate speech, and those rows
are the corpus's hard negatives. Every text ends with a space as shipped: stripped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, has_words, read_table, to_records

FILES = ("haspeede2/haspeede2_dev_taskAB.csv",)


def convert(row: dict[str, Any]) -> Record | None:
    if not has_words(str(row["text"])):
        return None
    hateful = str(row["hs"]).strip()
    if hateful not in ("0", "1"):
        raise ValueError(f"haspeede2: expected `hs` 0 or 1, found {hateful!r}")
    return Record(Label.HATE_SPEECH) if hateful == "1" else Record(Label.NONE)


def _stripped(row: dict[str, Any]) -> dict[str, Any]:
    return {"text": str(row["text"]).strip()}


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", "hs", "stereotype"]).map(_stripped)
    return to_records(table, "haspeede2", "text", convert, language="it")
