"""myHateSpeech v1.0 (Burmese Facebook sentences; CC BY-NC-SA 4.0: non-commercial), trained on
`text` (the sentence without its inline word tags, which would give the label away).

The sentence tag, stripped: `le` (lethal: wishing harm, curses, violent threats) is incitement,
threats being part of that level, with the call-to-violence signal; `ab` (abusive, promoting
hatred, blaming minorities), `re` religious, `ra` racist and `se` sexist are hate speech;
`bo` body-shaming, `po` political and `ed` educational mockery are offensive; `no` is none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("myhatespeech/myHateSpeech_ver1.0.csv",)
_TAGS = {
    "le": Record(Label.INCITEMENT, call_to_violence=True),
    "ab": Record(Label.HATE_SPEECH),
    "re": Record(Label.HATE_SPEECH, frozenset({"religion"})),
    "ra": Record(Label.HATE_SPEECH, frozenset({"race_ethnicity"})),
    "se": Record(Label.HATE_SPEECH, frozenset({"gender"})),
    "bo": Record(Label.OFFENSIVE),
    "po": Record(Label.OFFENSIVE),
    "ed": Record(Label.OFFENSIVE),
    "no": Record(Label.NONE),
}


def tag(raw: object) -> str:
    """The sentence tag without the stray spaces, slashes and zero-width marks it can carry."""
    return "".join(ch for ch in str(raw) if ch.isascii() and ch.isalpha()).lower()


def convert(row: dict[str, Any]) -> Record | None:
    return _TAGS.get(tag(row["label"]))


def load(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / FILES[0], ["text", "label"])
    return to_records(table, "myhatespeech", "text", convert, language="my")
