"""RedditBias (Barikeri et al. 2021): Reddit comments with a group term next to a stereotypical
attribute, one file per group, `bias_sent` 1 (the comment stereotypes the group) or 0 (it does
not).

Unbiased comments are neutral mentions of a group, `none`: exactly the rows that teach a model
that naming a group is not attacking it. Biased comments ascribe a stereotype to the group,
which is discriminatory language about it, `hate_speech` with the file's group (the corpus warns
that biased is not necessarily hateful: its corpus weight is lower, configs/train.yaml). Other
values (`2`, annotators' notes) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

GROUPS = {
    "gender_female": "gender",
    "orientation_lgbtq": "sexual_orientation",
    "race_black": "race_ethnicity",
    "religion1_jews": "religion",
    "religion2_muslims": "religion",
}
FILES = tuple(
    f"reddit-bias/reddit_comments_{name}_processed_phrase_annotated.csv" for name in GROUPS
)


def converter(group: str) -> Any:
    targets = frozenset({group})

    def convert(row: dict[str, Any]) -> Record | None:
        value = str(row["bias_sent"]).strip()
        if value in ("0", "0.0"):
            return Record(Label.NONE)
        if value in ("1", "1.0"):
            return Record(Label.HATE_SPEECH, targets, call_to_violence=False)
        return None

    return convert


def load(data_dir: Path) -> datasets.Dataset:
    parts = [
        to_records(
            read_table(data_dir / path, ["comment", "bias_sent"]),
            "reddit_bias",
            "comment",
            converter(group),
        )
        for path, group in zip(FILES, GROUPS.values(), strict=True)
    ]
    return datasets.concatenate_datasets(parts)
