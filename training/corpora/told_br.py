"""ToLD-Br (Brazilian Portuguese tweets; CC BY-SA 4.0): votes of three annotators per category.

Two or more votes count. An identity category (homophobia, racism, misogyny, xenophobia) makes
hate speech against that group; insult or obscene alone makes offensive; no vote at all makes
none; a tweet with single votes only is contested and dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("told-br/ToLD-BR.csv",)
_GROUPS = {
    "homophobia": "sexual_orientation",
    "racism": "race_ethnicity",
    "misogyny": "gender",
    "xenophobia": "migration",
}
_OFFENSIVE = ("insult", "obscene")


def convert(row: dict[str, Any]) -> Record | None:
    votes = {name: float(row[name] or 0) for name in (*_GROUPS, *_OFFENSIVE)}
    groups = frozenset(group for name, group in _GROUPS.items() if votes[name] >= 2)
    if groups:
        return Record(Label.HATE_SPEECH, groups)
    if any(votes[name] >= 2 for name in _OFFENSIVE):
        return Record(Label.OFFENSIVE)
    return Record(Label.NONE) if not any(votes.values()) else None


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", *_GROUPS, *_OFFENSIVE])
    return to_records(table, "told_br", "text", convert, language="pt")
