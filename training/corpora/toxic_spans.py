"""Toxic Spans (Pavlopoulos et al.), the ACL-2022 per-rater release: Civil Comments posts, each
rater's spans typed Insult, Profane/Obscene, Identity based Attack, Threat or Other Toxicity.

A type counts for a comment when at least two of its raters marked a span of it (the release's
character-level majority rule keeps only 4 threats against groups out of 16,000 comments: raters
mark different words, rarely the same type). Then, most severe first:
- Threat and Identity based Attack, one of them marked by two raters and the other by at least
  one: a threat against a group for who it is, `incitement`, with a call to violence.
- Threat alone: a threat against a person, not a group for who they are (Threat "covers threats
  against anyone"). Rabat's `incitement` is advocacy of hatred against a protected group, so the
  label is `offensive` and the call-to-violence signal is set: the threat is seen, the label says
  no group is attacked (docs/corpora.md).
- Identity based Attack: `hate_speech`, group unknown.
- any other span type marked by two raters, or "all toxic" ticked by a majority: `offensive`.
- otherwise "not toxic" ticked by a majority: `none`. Other comments are left out (raters
  disagree on whether they are toxic at all).

Evidence: a character carries the label when more than half of the comment's raters marked it
(any span type), the release's own ground-truth rule; a comment with no such character has
known, empty evidence, as in the SemEval files.

Texts of the SemEval-2021 test file (`tsd_test.csv`) are left out: it is a published test split.
So are those of its trial file (`tsd_trial.csv`), the development set on which the evidence
threshold is chosen (`python -m evaluation evidence`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import datasets
import pandas as pd

from rabat.labels import Label
from rabat.text.cleaning import dedup_key
from training.corpora.base import Record, flatten_spans, to_records, unflatten_spans

COMMENTS, ANNOTATIONS, SPANS = (
    "toxic-spans/comments.csv",
    "toxic-spans/annotations.csv",
    "toxic-spans/spans.csv",
)
TEST = "toxic-spans/tsd_test.csv"
TRIAL = "toxic-spans/tsd_trial.csv"
FILES = (COMMENTS, ANNOTATIONS, SPANS, TEST, TRIAL)
MIN_RATERS = 2
TYPES = {
    "Threat": "threat",
    "Identity based Attack": "identity",
    "Insult": "insult",
    "Profane/Obscene": "profane",
    "Other Toxicity": "other",
}


def convert(row: dict[str, Any]) -> Record | None:
    record = _label(row)
    if record is None:
        return None
    return replace(record, evidence=unflatten_spans(row["evidence"] or []))


def _label(row: dict[str, Any]) -> Record | None:
    raters = int(row["raters"])
    major = {kind for kind in TYPES.values() if int(row[kind]) >= MIN_RATERS}
    marked = {kind for kind in TYPES.values() if int(row[kind]) >= 1}
    if {"threat", "identity"} <= marked and major & {"threat", "identity"}:
        return Record(Label.INCITEMENT, call_to_violence=True)
    if "threat" in major:
        return Record(Label.OFFENSIVE, call_to_violence=True, dehumanisation=False)
    if "identity" in major:
        return Record(Label.HATE_SPEECH)
    if major or 2 * int(row["all_toxic"]) > raters:
        return Record(Label.OFFENSIVE, call_to_violence=False)
    if 2 * int(row["not_toxic"]) > raters:
        return Record(Label.NONE)
    return None


def comments(data_dir: Path) -> pd.DataFrame:
    """One row per comment: its text, how many raters, and how many marked each span type."""
    texts = pd.read_csv(data_dir / COMMENTS, dtype={"comment_id": str}, keep_default_na=False)
    ratings = pd.read_csv(data_dir / ANNOTATIONS, dtype=str, keep_default_na=False)
    spans = pd.read_csv(data_dir / SPANS, dtype=str, keep_default_na=False)
    ratings["all_toxic"] = ratings["all toxic"] == "True"
    ratings["not_toxic"] = ratings["not toxic"] == "True"
    spans["kind"] = spans["type"].map(TYPES)
    marked = spans.dropna(subset=["kind"]).drop_duplicates(["annotation", "kind"])
    marked = marked.merge(ratings[["annotation", "comment_id"]], on="annotation")
    per_kind = pd.crosstab(marked["comment_id"], marked["kind"])
    per_comment = ratings.groupby("comment_id").agg(
        raters=("annotation", "size"),
        all_toxic=("all_toxic", "sum"),
        not_toxic=("not_toxic", "sum"),
    )
    table = per_comment.join(per_kind, how="left").fillna(0)
    for kind in TYPES.values():
        table[kind] = table[kind].astype(int) if kind in table else 0
    out = texts.merge(table, left_on="comment_id", right_index=True)
    majority = majority_spans(spans, ratings, per_comment["raters"])
    out["evidence"] = [majority.get(cid, []) for cid in out["comment_id"]]
    held_out = {
        key
        for name in (TEST, TRIAL)
        for key in pd.read_csv(data_dir / name, keep_default_na=False)["text"].map(dedup_key)
    }
    return out[~out["comment_text"].map(dedup_key).isin(held_out)]


def majority_spans(
    spans: pd.DataFrame, ratings: pd.DataFrame, raters: pd.Series
) -> dict[str, list[int]]:
    """Per comment, the characters more than half of its raters marked, as flattened
    [start, end) pairs (`end` is exclusive in the release)."""
    marks = spans.merge(ratings[["annotation", "comment_id", "worker"]], on="annotation")
    marks["start"] = pd.to_numeric(marks["start"], errors="coerce")
    marks["end"] = pd.to_numeric(marks["end"], errors="coerce")
    marks = marks.dropna(subset=["start", "end"])
    out: dict[str, list[int]] = {}
    for comment_id, group in marks.groupby("comment_id"):
        by_rater: dict[str, set[int]] = {}
        for worker, start, end in zip(group["worker"], group["start"], group["end"], strict=True):
            by_rater.setdefault(worker, set()).update(range(int(start), int(end)))
        counts = Counter(ch for chars in by_rater.values() for ch in chars)
        need = int(raters.get(comment_id, 0)) / 2
        toxic = sorted(ch for ch, n in counts.items() if n > need)
        out[str(comment_id)] = flatten_spans(_runs(toxic))
    return out


def _runs(chars: list[int]) -> list[tuple[int, int]]:
    """Sorted character offsets as [start, end) runs."""
    runs: list[tuple[int, int]] = []
    for ch in chars:
        if runs and runs[-1][1] == ch:
            runs[-1] = (runs[-1][0], ch + 1)
        else:
            runs.append((ch, ch + 1))
    return runs


def load(data_dir: Path) -> datasets.Dataset:
    for name in FILES:
        if not (data_dir / name).is_file():
            raise FileNotFoundError(
                f"corpus file {data_dir / name} not found: set data_dir or RABAT_DATA_DIR to "
                "the folder holding the corpora (docs/corpora.md)"
            )
    table = datasets.Dataset.from_pandas(comments(data_dir), preserve_index=False)
    return to_records(table, "toxic_spans", "comment_text", convert)
