"""Reviewed rows (from `python -m annotation pull`) as training records beside the corpora.

A reviewer's label is the one training learns, so a reviewed text overrides every corpus copy
of it (`training.dataset.deduplicate`). Ties are left out: nobody decided them. The reviewers'
`evidence` rationale spans (the pre-annotated model evidence they kept or corrected, and any
they added) train the evidence head; a hateful text without any is "not annotated".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from rabat.model.evidence import EVIDENCE  # the rationale kind marking the words carrying the label
from rabat.review.reviews import labelled, read_reviews
from training.corpora.base import Record, flatten_spans, to_records, unflatten_spans

logger = logging.getLogger(__name__)

SOURCE = "review"


class NoReviewedRows(ValueError):
    """The review files hold no row with a resolved label: nothing to train on."""


def load_reviews(paths: Sequence[Path]) -> datasets.Dataset:
    """The labelled rows of the training files as unified records (source `review`);
    NoReviewedRows when none of them holds one."""
    rows: list[dict[str, Any]] = []
    found_any = 0
    for path in paths:
        found = read_reviews(path)
        kept = labelled(found)
        logger.info("%s: %d reviewed rows, %d with a resolved label", path, len(found), len(kept))
        rows += kept
        found_any += len(found)
    if not rows:
        what = "only ties, which train nothing" if found_any else "no reviewed rows"
        raise NoReviewedRows(
            f"{', '.join(str(p) for p in paths)}: {what}. Review some tasks in Label Studio and "
            "pull again (`python -m annotation pull`), or train without REVIEWS"
        )
    table = datasets.Dataset.from_list(
        [
            {
                "text": r["text"],
                "label": r["label"],
                "targets": r["target_groups"],
                "evidence": flatten_spans(
                    (span["start"], span["end"])
                    for span in r["rationale"]
                    if span["kind"] == EVIDENCE
                ),
            }
            for r in rows
        ],
        features=datasets.Features(
            {
                "text": datasets.Value("string"),
                "label": datasets.Value("string"),
                "targets": datasets.Sequence(datasets.Value("string")),
                "evidence": datasets.Sequence(datasets.Value("int32")),
            }
        ),
    )
    return to_records(table, SOURCE, "text", _record)


def _record(row: dict[str, Any]) -> Record:
    label = Label(row["label"])
    # The form asks for target groups; an empty answer on a hateful text means "not given".
    targets = frozenset(row["targets"]) if row["targets"] else None
    return Record(label, targets=targets, evidence=unflatten_spans(row["evidence"]) or None)
