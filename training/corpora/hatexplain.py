"""HateXplain (Mathew et al. 2021).

Training reads `train.csv` only, without the 1,252 posts it shares with `val.csv`: the official
validation split is kept for evaluation (`validation_rows`, the hateful-vs-not AUROC target).
The two files use different encodings, checked against each other on the posts they share:
`train.csv` has `label` 0 normal, 1 offensive, 2 hate speech and one boolean column per target
category; `val.csv` is the original per-annotator format with the Hugging Face coding (0 hate
speech, 1 normal, 2 offensive), resolved by strict majority (no majority: dropped).

Evidence: `train.csv`'s `rationale_pos` lists the phrases annotators marked, `;`-separated.
Checked against the texts: every one of its 9,534 phrases is a substring of its post's text
(5,828 are single words). Each whole-word occurrence of a phrase is marked. Offensive and hateful
posts without `rationale_pos` are "not annotated"; normal posts have none by design.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from rabat.text.cleaning import dedup_key
from training.corpora.base import Record, read_table, to_records

TRAIN_FILE = "hatexplain/train.csv"
VAL_FILE = "hatexplain/val.csv"
FILES = (TRAIN_FILE, VAL_FILE)
_TRAIN_LABELS = {0: Label.NONE, 1: Label.OFFENSIVE, 2: Label.HATE_SPEECH}
_VAL_LABELS = {0: Label.HATE_SPEECH, 1: Label.NONE, 2: Label.OFFENSIVE}
_TARGET_COLUMNS = {
    "label_gender": "gender",
    "label_religion": "religion",
    "label_race": "race_ethnicity",
    "label_economic": "other",
    "label_minority": "other",
}
_VAL_TARGETS = {
    "African": "race_ethnicity",
    "Arab": "race_ethnicity",
    "Asian": "race_ethnicity",
    "Caucasian": "race_ethnicity",
    "Hispanic": "race_ethnicity",
    "Indian": "race_ethnicity",
    "Indigenous": "race_ethnicity",
    "Islam": "religion",
    "Jewish": "religion",
    "Christian": "religion",
    "Hindu": "religion",
    "Buddhism": "religion",
    "Nonreligious": "religion",
    "Women": "gender",
    "Men": "gender",
    "Homosexual": "sexual_orientation",
    "Heterosexual": "sexual_orientation",
    "Bisexual": "sexual_orientation",
    "Refugee": "migration",
    "Disability": "disability",
}


def convert_train(row: dict[str, Any]) -> Record | None:
    label = _TRAIN_LABELS[int(row["label"])]
    targets = frozenset(group for column, group in _TARGET_COLUMNS.items() if int(row[column]))
    evidence = rationale_spans(str(row["text"]), str(row.get("rationale_pos") or ""))
    return Record(label, targets if label is Label.HATE_SPEECH else None, evidence=evidence)


def rationale_spans(text: str, phrases: str) -> tuple[tuple[int, int], ...] | None:
    """Character spans of every whole-word occurrence of the `;`-separated phrases in `text`;
    None when no phrase is given."""
    wanted = [p.strip() for p in phrases.split(";") if p.strip()]
    if not wanted:
        return None
    found = {
        (m.start(), m.end())
        for phrase in wanted
        for m in re.finditer(rf"(?<!\S){re.escape(phrase)}(?!\S)", text)
    }
    return tuple(sorted(found))


def convert_val(row: dict[str, Any]) -> Record | None:
    annotation = ast.literal_eval(row["annotators"])
    votes = Counter(annotation["label"]).most_common()
    if len(votes) > 1 and votes[0][1] == votes[1][1]:
        return None
    label = _VAL_LABELS[int(votes[0][0])]
    named = Counter(t for per_annotator in annotation["target"] for t in per_annotator)
    majority = len(annotation["label"]) / 2
    targets = frozenset(
        _VAL_TARGETS.get(name, "other")
        for name, n in named.items()
        if n > majority and name != "None"
    )
    return Record(label, targets)


def load(data_dir: Path) -> datasets.Dataset:
    train = read_table(data_dir / TRAIN_FILE, ["text", "label", *_TARGET_COLUMNS])
    val = read_table(data_dir / VAL_FILE, ["annotators", "unmasked_sentence"])
    held_out = {dedup_key(text) for text in val["unmasked_sentence"]}
    train = train.filter(lambda row: dedup_key(row["text"]) not in held_out)
    return to_records(train, "hatexplain", "text", convert_train)


def validation_rows(data_dir: Path) -> datasets.Dataset:
    """The official validation split as unified records (majority of three annotators)."""
    val = read_table(data_dir / VAL_FILE, ["annotators", "unmasked_sentence"])
    return to_records(val, "hatexplain_val", "unmasked_sentence", convert_val)
