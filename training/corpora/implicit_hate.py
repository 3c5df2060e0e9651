"""Latent Hatred (ElSherief et al. 2021), the Implicit Hate corpus, stages 1 to 3.

Stage 1 labels each post not hate / implicit hate / explicit hate; stage 2 gives implicit posts
a class, stage 3 a free-text target; both are joined on the post text. Stage-2 `threatening`
(threats and intimidation) is incitement with a call to violence. The authors' own `incitement`
class ("flaunting in-group unity and power or elevating known hate groups and ideologies") is
hate speech here: it glorifies and promotes hatred without calling an audience to discriminate,
act with hostility or use violence, which the Rabat threshold asks of incitement. Trained as
incitement it also halved the label's precision (docs/corpora.md). Every other hateful post is
hate speech.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records
from training.corpora.targets import groups_from_description

STAGE1 = "implicit-hate/implicit_hate_v1_stg1_posts.tsv"
STAGE2 = "implicit-hate/implicit_hate_v1_stg2_posts.tsv"
STAGE3 = "implicit-hate/implicit_hate_v1_stg3_posts.tsv"
FILES = (STAGE1, STAGE2, STAGE3)


def _lookup(table: datasets.Dataset, value_column: str) -> dict[str, str]:
    return {str(p): str(v) for p, v in zip(table["post"], table[value_column], strict=True)}


def make_converter(classes: dict[str, str], targets: dict[str, str]) -> Any:
    """A row converter that consults the stage-2 classes and stage-3 targets by post text."""

    def convert(row: dict[str, Any]) -> Record | None:
        kind = row["class"]
        if kind == "not_hate":
            return Record(Label.NONE)
        post = str(row["post"])
        groups = groups_from_description(targets[post]) if post in targets else None
        implicit_class = classes.get(post)
        if implicit_class == "threatening":
            return Record(Label.INCITEMENT, groups, call_to_violence=True)
        return Record(Label.HATE_SPEECH, groups)

    return convert


def load(data_dir: Path) -> datasets.Dataset:
    stage1 = read_table(data_dir / STAGE1, ["post", "class"], delimiter="\t")
    stage2 = read_table(data_dir / STAGE2, ["post", "implicit_class"], delimiter="\t")
    stage3 = read_table(data_dir / STAGE3, ["post", "target"], delimiter="\t")
    convert = make_converter(_lookup(stage2, "implicit_class"), _lookup(stage3, "target"))
    return to_records(stage1, "implicit_hate", "post", convert)
