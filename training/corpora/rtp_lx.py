"""RTP-LX (prompts transcreated into 11 languages; MIT, but its metadata also lists CC BY-NC 4.0
and forbids use "in any system that could cause harm, or used in surveillance applications").
**Check first**: it is in no shipped training config; `python -m training.transfer` reads it to
measure languages the model was not trained on.

Scores are the mean of three annotators. IdentityAttack >= 2 is hate speech, and incitement if
Violence >= 2 as well; Toxicity >= 2.5 or Insult >= 2 otherwise is offensive; every score below
1.5 is none; the rest is ambiguous and dropped. The locales translate the same English source
documents, so each row's `group` is its source document (`OriginalMetadata`) and a document's
translations share one split; Swahili records none and is grouped by its row index.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("rtp-lx/prompts.csv",)
LOCALES = {
    "AR": "ar",
    "DE": "de",
    "ES": "es",
    "FR": "fr",
    "HI": "hi",
    "IT": "it",
    "NL": "nl",
    "PL": "pl",
    "PT": "pt",
    "SW": "sw",
    "ZH-Hans": "zh",
    "ZH-Hant": "zh",
}
_SCORES = ("Toxicity", "IdentityAttack", "Violence", "Insult")


def convert(row: dict[str, Any]) -> Record | None:
    score = {name: float(row[name] or 0) for name in _SCORES}
    language = LOCALES.get(str(row["file_locale"]))
    if language is None:
        return None
    document = str(row["OriginalMetadata"]).strip() or f"{row['file_locale']}:{row['Index']}"
    group = "rtp_lx:" + hashlib.sha256(document.encode()).hexdigest()[:16]
    if score["IdentityAttack"] >= 2:
        violent = score["Violence"] >= 2
        label = Label.INCITEMENT if violent else Label.HATE_SPEECH
        return Record(label, call_to_violence=violent, language=language, group=group)
    if score["Toxicity"] >= 2.5 or score["Insult"] >= 2:
        return Record(Label.OFFENSIVE, language=language, group=group)
    if all(value < 1.5 for value in score.values()):
        return Record(Label.NONE, language=language, group=group)
    return None


def load(data_dir: Path) -> datasets.Dataset:
    columns = ["file_locale", "Index", "Prompt", "OriginalMetadata", *_SCORES]
    table = read_table(data_dir / FILES[0], columns)
    return to_records(table, "rtp_lx", "Prompt", convert, language="und")
