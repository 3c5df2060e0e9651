"""Reviewers' decisions: one annotation read from a Label Studio export, several resolved into one
training row, and the versioned JSONL training file that `make train` reads.

Resolution: the label most reviewers chose (a plurality, one vote per reviewer); a tie at the
top is flagged (`label` null, `resolution` "tie") and never guessed, so training skips it.
Each factor likewise (a tie or only "can't tell" gives null); a target group is kept when more
than half of the reviewers ticked it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rabat.assessment.policy import FACTORS
from rabat.labels import LABELS
from rabat.review.labeling import (
    CANT_TELL,
    LABEL,
    LEVELS,
    NOTE,
    RATIONALE,
    TARGETS,
    factor_control,
    from_utf16,
)
from rabat.signals import TARGET_GROUPS
from rabat.store.records import Rejected, read_rows

SCHEMA = "rabat.reviews/1"
REVIEW_LINE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Review:
    """One reviewer's submitted form for one task."""

    annotation_id: int
    annotator: str
    label: str | None
    factors: dict[str, str | None]
    target_groups: list[str]
    rationale: list[dict[str, Any]]
    note: str
    created_at: str
    updated_at: str
    lead_time: float | None = None


@dataclass(frozen=True)
class ReviewedTask:
    """One task's reviews resolved into a training row (one line of the training file)."""

    task_id: int
    text: str
    label: str | None
    resolution: str  # unanimous, majority, single or tie
    label_votes: dict[str, int]
    factors: dict[str, str | None]
    target_groups: list[str]
    rationale: list[dict[str, Any]]
    notes: list[str]
    ties: list[str]
    annotations: list[Review]
    updated_at: str
    schema: str = field(default=SCHEMA)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def parse_annotation(
    annotation: Mapping[str, Any], annotator: str, task_id: int, text: str | None = None
) -> Review:
    """Read one exported annotation's `result` list; unknown values are an error naming it.
    With the task's `text`, span offsets (Label Studio's UTF-16 units) become code points."""
    where = f"task {task_id}, annotation {annotation.get('id')}"
    label, factors, targets, spans, note = None, dict.fromkeys(FACTORS), [], [], ""
    for item in annotation.get("result") or []:
        name, value = item.get("from_name"), item.get("value") or {}
        if name == LABEL:
            label = _one(value, LABELS, where, name)
        elif name == TARGETS:
            targets = sorted(_known(value.get("choices", []), TARGET_GROUPS, where, name))
        elif name == RATIONALE:
            start, end = int(value["start"]), int(value["end"])
            if text is not None:
                start, end = from_utf16(text, start), from_utf16(text, end)
            spans += [
                {
                    "start": start,
                    "end": end,
                    "text": value.get("text", ""),
                    "kind": kind,
                }
                for kind in value.get("labels", [])
            ]
        elif name == NOTE:
            note = "\n".join(value.get("text", []))
        elif isinstance(name, str) and name in _FACTOR_NAMES:
            level = _one(value, (*LEVELS, CANT_TELL), where, name)
            factors[_FACTOR_NAMES[name]] = None if level == CANT_TELL else level
    return Review(
        annotation_id=int(annotation["id"]),
        annotator=annotator,
        label=label,
        factors=factors,
        target_groups=targets,
        rationale=sorted(spans, key=lambda s: (s["start"], s["end"], s["kind"])),
        note=note,
        created_at=str(annotation.get("created_at", "")),
        updated_at=str(annotation.get("updated_at", "")),
        lead_time=annotation.get("lead_time"),
    )


def resolve(
    task_id: int,
    text: str,
    reviews: Sequence[Review],
    weights: Mapping[str, float] | None = None,
) -> ReviewedTask:
    """Resolve one task's reviews (at least one) into a training row. A reviewer who submitted
    twice counts once, with the later annotation (all are kept in `annotations`). `weights`
    (annotator -> weight, default 1 each) weigh the label votes: a reviewer who often misses
    gold tasks can count less; `label_votes` still reports plain counts."""
    if not reviews:
        raise ValueError(f"task {task_id} has no reviews to resolve")
    kept = reviews
    latest = {r.annotator: r for r in sorted(reviews, key=lambda r: r.updated_at)}
    reviews = list(latest.values())
    votes = Counter(r.label for r in reviews if r.label is not None)
    weighted: dict[str, float] = {}
    for r in reviews:
        if r.label is not None:
            weight = 1.0 if weights is None else weights.get(r.annotator, 1.0)
            weighted[r.label] = weighted.get(r.label, 0.0) + weight
    label, tied = _majority(weighted)
    ties = ["label"] if tied else []
    factors: dict[str, str | None] = {}
    for factor in FACTORS:
        levels = [r.factors[factor] for r in reviews]
        level, tied = _majority(Counter(v for v in levels if v is not None))
        factors[factor] = level
        ties += [factor] if tied else []
    ticks = Counter(group for r in reviews for group in r.target_groups)
    return ReviewedTask(
        task_id=task_id,
        text=text,
        label=label,
        resolution=_resolution(votes, tied_label="label" in ties),
        label_votes=dict(sorted(votes.items())),
        factors=factors,
        target_groups=sorted(g for g, n in ticks.items() if n * 2 > len(reviews)),
        rationale=[{**span, "annotator": r.annotator} for r in reviews for span in r.rationale],
        notes=[r.note for r in reviews if r.note],
        ties=ties,
        annotations=list(kept),
        updated_at=max(r.updated_at for r in kept),
    )


def read_reviews(path: str | Path) -> list[dict[str, Any]]:
    """Read a training file written by `python -m annotation pull`; checks schema and labels."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(
            f"no reviews file at {path}: write one with `python -m annotation pull`, "
            "or remove it from the training config's `reviews`"
        )
    rows: list[dict[str, Any]] = []
    if path.stat().st_size == 0:
        return rows  # a pull of a project with no reviewed task yet
    # A line holds every annotation of its task beside the text: allow long lines.
    found = read_rows(
        path, ("schema", "text", "label"), "text", fmt="jsonl", max_line_bytes=REVIEW_LINE_BYTES
    )
    for row in found:
        where = f"{path}, line {row.line}"
        if isinstance(row, Rejected):
            raise ValueError(f"{where}: {row.reason}: a reviews file is never cut; pull it again")
        fields = row.fields
        if fields["schema"] != SCHEMA:
            raise ValueError(
                f"{where}: schema {fields['schema']!r}, expected {SCHEMA!r}: "
                "pull the annotations again with this version of Rabat"
            )
        if fields["label"] is not None and fields["label"] not in LABELS:
            raise ValueError(f"{where}: unknown label {fields['label']!r}")
        rows.append(fields)
    return rows


def labelled(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows training can use: a resolved label (ties are left out)."""
    return [row for row in rows if row["label"] is not None]


_FACTOR_NAMES = {factor_control(factor): factor for factor in FACTORS}


def _one(value: Mapping[str, Any], allowed: Sequence[str], where: str, name: str) -> str:
    choices = value.get("choices", [])
    if len(choices) != 1:
        raise ValueError(f"{where}: {name!r} should hold one choice, found {choices}")
    return _known(choices, allowed, where, name)[0]


def _known(values: Sequence[str], allowed: Sequence[str], where: str, name: str) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(
            f"{where}: {name!r} has {unknown}, expected values from {list(allowed)}. Was the "
            "project's form changed by hand? Run `python -m annotation setup` to restore it."
        )
    return list(values)


def _majority(votes: Mapping[str, float]) -> tuple[str | None, bool]:
    """The most frequent value and whether the top was tied (None, True)."""
    if not votes:
        return None, False
    (top, n), *rest = sorted(votes.items(), key=lambda kv: kv[1], reverse=True)
    if rest and rest[0][1] == n:
        return None, True
    return top, False


def _resolution(votes: Counter[str], tied_label: bool) -> str:
    if tied_label:
        return "tie"
    total = sum(votes.values())
    if total <= 1:
        return "single"
    return "unanimous" if len(votes) == 1 else "majority"
