"""Two Bangla corpora, which need each other: every row of Bengali Hate v2.0 is hate, and
BanglaMultiHate's dev split supplies the non-hateful rows.

Bengali Hate v2.0 (MIT; "research purposes" in its README), `label` the hate type: Religious and
Geopolitical hatred are hate speech (religion; a country or region: other); Personal hatred (at
a person) and Political hatred (at a party or politician, not a protected group) are offensive.

BanglaMultiHate, BLP-2025 task 1C, dev split (CC BY-NC-SA 4.0: non-commercial), `hate_type`:
None is none; Religious Hate and Sexism are hate speech (religion, gender); Abusive, Profane and
Political Hate are offensive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

BENGALI_HATE = "bengali-hate/bengali_hate_v2.0.csv"
MULTIHATE = "bangla-multihate/blp25_hatespeech_subtask_1C_dev.csv"
_BENGALI = {
    "Religious": Record(Label.HATE_SPEECH, frozenset({"religion"})),
    "Geopolitical": Record(Label.HATE_SPEECH, frozenset({"other"})),
    "Personal": Record(Label.OFFENSIVE),
    "Political": Record(Label.OFFENSIVE),
}
_MULTIHATE = {
    "None": Record(Label.NONE),
    "Religious Hate": Record(Label.HATE_SPEECH, frozenset({"religion"})),
    "Sexism": Record(Label.HATE_SPEECH, frozenset({"gender"})),
    "Abusive": Record(Label.OFFENSIVE),
    "Profane": Record(Label.OFFENSIVE),
    "Political Hate": Record(Label.OFFENSIVE),
}


def convert_bengali(row: dict[str, Any]) -> Record | None:
    return _BENGALI.get(str(row["label"]).strip())


def convert_multihate(row: dict[str, Any]) -> Record | None:
    return _MULTIHATE.get(str(row["hate_type"]).strip())


def load_bengali_hate(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / BENGALI_HATE, ["text", "label"])
    return to_records(table, "bengali_hate", "text", convert_bengali, language="bn")


def load_multihate(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / MULTIHATE, ["text", "hate_type"])
    return to_records(table, "bangla_multihate", "text", convert_multihate, language="bn")
