"""HatemojiBuild (Kirk et al. 2022): adversarial emoji-based hate, train and validation files.

`label_gold` 1 is hateful; `type` refines it: threatening language is incitement (with a call to
violence), dehumanising language is hate speech with dehumanisation, derogation and animosity are
hate speech. `target` holds codes such as `bla`, `mus`, `wom`, `blawom` (a code may name two
groups).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = ("hatemoji/train.csv", "hatemoji/validation.csv")
COLUMNS = ["text", "type", "target", "label_gold"]

# Code prefixes, most specific first; "wom"/"man" suffixes add gender.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("lgbtqa", "sexual_orientation"),
    ("gay", "sexual_orientation"),
    ("bis", "sexual_orientation"),
    ("trans", "gender"),
    ("wom", "gender"),
    ("mus", "religion"),
    ("jew", "religion"),
    ("hind", "religion"),
    ("sikh", "religion"),
    ("immig", "migration"),
    ("ref", "migration"),
    ("asy", "migration"),
    ("for", "migration"),
    ("dis", "disability"),
    ("wc", "other"),
    ("bla", "race_ethnicity"),
    ("asi", "race_ethnicity"),
    ("arab", "race_ethnicity"),
    ("african", "race_ethnicity"),
    ("hisp", "race_ethnicity"),
    ("mex", "race_ethnicity"),
    ("abo", "race_ethnicity"),
    ("indig", "race_ethnicity"),
    ("ind", "race_ethnicity"),
    ("ethmin", "race_ethnicity"),
    ("mix", "race_ethnicity"),
    ("nat", "race_ethnicity"),
    ("europe", "race_ethnicity"),
    ("trav", "race_ethnicity"),
)


def target_groups(codes: list[str]) -> frozenset[str]:
    """Identity categories for Hatemoji target codes (`other` for an unrecognised code)."""
    groups: set[str] = set()
    for code in codes:
        if code == "none":
            continue
        match = next((group for prefix, group in _PREFIXES if code.startswith(prefix)), "other")
        groups.add(match)
        if code.endswith(("wom", "man")) and code not in ("wom",):
            groups.add("gender")
    return frozenset(groups)


def convert(row: dict[str, Any]) -> Record | None:
    if int(row["label_gold"]) == 0:
        return Record(Label.NONE)
    kind = str(row["type"])
    targets = target_groups(list(ast.literal_eval(row["target"])))
    if kind == "threateninglanguage":
        return Record(Label.INCITEMENT, targets, call_to_violence=True, dehumanisation=False)
    return Record(
        Label.HATE_SPEECH,
        targets,
        call_to_violence=False,
        dehumanisation=kind == "dehumanizinglanguage",
    )


def load(data_dir: Path) -> datasets.Dataset:
    parts = [
        to_records(read_table(data_dir / name, COLUMNS), "hatemoji", "text", convert)
        for name in FILES
    ]
    return datasets.concatenate_datasets(parts)
