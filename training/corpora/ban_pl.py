"""BAN-PL (Polish Wykop posts; CC BY 4.0, to be kept internal: the source asks that it not be
published or scraped). `Class` 1 is content the site's moderators banned, for one of three
reasons the source pseudonymises as 2, 3 and 4 and does not name; the site's reasons merged into
"harmful" are propagation of hatred or violence, and personal attacks. Reason 3 is the one whose
posts name identity groups and violence most often (docs/corpora.md, measured on the file): it
maps to hate_speech; reasons 2 and 4 to offensive, the weakest harmful label. 0 is none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("ban-pl/BAN-PL.csv",)
HATRED_REASON = 3  # the pseudonymised moderation reason read as "propagation of hatred or violence"


def convert(row: dict[str, Any]) -> Record | None:
    if int(row["Class"]) != 1:
        return Record(Label.NONE)
    if int(row["Reason"]) == HATRED_REASON:
        return Record(Label.HATE_SPEECH)
    return Record(Label.OFFENSIVE)


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["Text", "Class", "Reason"])
    return to_records(table, "ban_pl", "Text", convert, language="pl")
