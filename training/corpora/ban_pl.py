"""BAN-PL (Polish Wykop posts; CC BY 4.0, to be kept internal: the source asks that it not be
published or scraped). `Class` 1 is content the site's moderators banned, which mixes hatred,
violence and personal attacks: it maps to offensive, the weakest harmful label. 0 is none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("ban-pl/BAN-PL.csv",)


def convert(row: dict[str, Any]) -> Record | None:
    return Record(Label.OFFENSIVE if int(row["Class"]) == 1 else Label.NONE)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["Text", "Class"])
    return to_records(table, "ban_pl", "Text", convert, language="pl")
