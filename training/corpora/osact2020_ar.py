"""OSACT4 2020 (Mubarak et al.): Arabic tweets, the OffensEval 2020 Arabic set with a hate speech
label; train and dev files (the test split is not shipped). Licence "CC-BY" without a version.

`hate_speech` HS (insults or threats aimed at a group for its nationality, ethnicity, gender,
political or sport affiliation, religion or another shared trait; every HS row is OFF) is hate
speech with the target unknown: the file does not say which group, and political and sport
affiliation are not protected groups. OFF without HS is offensive; NOT_OFF is none. Line breaks
shipped as `<LF>` become line breaks; a leading `RT @USER:` (a retweet marker, a quarter of the
rows) is removed, so retweets and their originals dedupe.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, has_words, read_table, to_records

FILES = ("osact2020-ar/OSACT2020-sharedTask-train.csv", "osact2020-ar/OSACT2020-sharedTask-dev.csv")
COLUMNS = ["tweet_text", "offensive", "hate_speech"]
_RETWEET = re.compile(r"^\s*RT\s+@USER\s*:\s*")


def normalise(text: str) -> str:
    """The tweet with `<LF>` as a line break and without its leading retweet marker."""
    return _RETWEET.sub("", text.replace("<LF>", "\n")).strip()


def convert(row: dict[str, Any]) -> Record | None:
    if not has_words(str(row["tweet_text"])):
        return None
    if row["hate_speech"] == "HS":
        return Record(Label.HATE_SPEECH)
    if row["offensive"] == "OFF":
        return Record(Label.OFFENSIVE)
    if row["offensive"] == "NOT_OFF":
        return Record(Label.NONE)
    raise ValueError(
        f"osact2020-ar: expected `offensive` OFF or NOT_OFF, found {row['offensive']!r}; "
        "is this the OSACT 2020 shared-task file?"
    )


def _normalised(row: dict[str, Any]) -> dict[str, Any]:
    return {"tweet_text": normalise(str(row["tweet_text"]))}


def load(data_dir: Path) -> datasets.Dataset:
    parts = [
        to_records(
            read_table(data_dir / name, COLUMNS).map(_normalised),
            "osact2020_ar",
            "tweet_text",
            convert,
            language="ar",
        )
        for name in FILES
    ]
    return datasets.concatenate_datasets(parts)
