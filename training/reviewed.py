"""Reviewed rows (from `python -m annotation pull`) as training records beside the corpora.

A reviewer's label is the one training learns, so a reviewed text overrides every corpus copy
of it (`training.dataset.deduplicate`). Ties are left out: nobody decided them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from rabat.reviews import labelled, read_reviews
from training.corpora.base import Record, to_records

logger = logging.getLogger(__name__)

SOURCE = "review"


def load_reviews(paths: Sequence[Path]) -> datasets.Dataset:
    """The labelled rows of the training files as unified records (source `review`)."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        found = read_reviews(path)
        kept = labelled(found)
        logger.info("%s: %d reviewed rows, %d with a resolved label", path, len(found), len(kept))
        rows += kept
    table = datasets.Dataset.from_list(
        [{"text": r["text"], "label": r["label"], "targets": r["target_groups"]} for r in rows],
        features=datasets.Features(
            {
                "text": datasets.Value("string"),
                "label": datasets.Value("string"),
                "targets": datasets.Sequence(datasets.Value("string")),
            }
        ),
    )
    return to_records(table, SOURCE, "text", _record)


def _record(row: dict[str, Any]) -> Record:
    label = Label(row["label"])
    # The form asks for target groups; an empty answer on a hateful text means "not given".
    targets = frozenset(row["targets"]) if row["targets"] else None
    return Record(label, targets=targets)
