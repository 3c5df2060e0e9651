"""Reviewer quality without Label Studio Enterprise: gold tasks.

A gold task carries a label known in advance (`gold_label` in the pool: from the corpora, or set
by a lead reviewer). Each reviewer's accuracy on the gold tasks they answered is reported beside
agreement; a reviewer below the bar (with enough gold tasks to judge) is flagged, and, when the
team turns it on, their label votes weigh by their accuracy in resolution.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rabat.labels import LABELS
from rabat.review.reviews import Review

GOLD = "gold_label"
"""The pool column (and task data field) holding a gold task's known label."""


def check_gold(value: object, where: str) -> str:
    """A gold label must be one of the labels; the error names the row and the allowed ones."""
    if value not in LABELS:
        raise ValueError(f"{where}: {GOLD} is {value!r}, expected one of {list(LABELS)}")
    return str(value)


def gold_accuracy(
    tasks: Iterable[tuple[str | None, list[Review]]], bar: float, min_tasks: int
) -> dict[str, Any]:
    """Per reviewer: gold tasks answered (with a label), correct, accuracy, flagged. `tasks`
    yields (gold label or None, that task's reviews); a reviewer's later answer counts."""
    answered: dict[str, list[bool]] = {}
    gold_tasks = 0
    for gold, reviews in tasks:
        if gold is None:
            continue
        gold_tasks += 1
        latest = {r.annotator: r for r in sorted(reviews, key=lambda r: r.updated_at)}
        for who, review in latest.items():
            if review.label is not None:
                answered.setdefault(who, []).append(review.label == gold)
    annotators = {}
    for who, marks in sorted(answered.items()):
        accuracy = sum(marks) / len(marks)
        annotators[who] = {
            "gold_tasks": len(marks),
            "correct": sum(marks),
            "accuracy": round(accuracy, 4),
            "judged": len(marks) >= min_tasks,
            "flagged": len(marks) >= min_tasks and accuracy < bar,
        }
    return {"gold_tasks": gold_tasks, "bar": bar, "min_tasks": min_tasks, "annotators": annotators}


def vote_weights(report: Mapping[str, Any], floor: float = 0.05) -> dict[str, float]:
    """Each judged reviewer's accuracy as the weight of their vote (at least `floor`, so that
    nobody's vote vanishes); reviewers not yet judged weigh 1."""
    return {
        who: max(stats["accuracy"], floor)
        for who, stats in report["annotators"].items()
        if stats["judged"]
    }
