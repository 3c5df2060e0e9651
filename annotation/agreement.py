"""Inter-annotator agreement, which Label Studio's Community Edition does not report: Krippendorff's
alpha per field (the label, each Rabat factor, each target group) and counts per annotator.

Alpha suits this data: any number of reviewers per task, missing answers allowed ("can't tell"
is missing, not a level), nominal labels and ordinal factor levels. It is computed over tasks
with at least two reviews; `null` with a reason where it is undefined (fewer than two such
tasks, or one value only).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import krippendorff
import numpy as np

from rabat.assessment.policy import FACTORS
from rabat.labels import LABELS
from rabat.review.labeling import LEVELS
from rabat.review.reviews import Review, ReviewedTask
from rabat.signals import TARGET_GROUPS

Value = Callable[[Review], float | None]


def agreement_report(tasks: Sequence[ReviewedTask]) -> dict[str, Any]:
    """Alpha per field over multiply-reviewed tasks, and what each annotator did."""
    multi = [t for t in tasks if len(t.annotations) >= 2]
    coders = sorted({r.annotator for t in multi for r in t.annotations})
    fields: dict[str, dict[str, Any]] = {
        "label": _alpha(multi, coders, _label_value, "nominal", len(LABELS))
    }
    for factor in FACTORS:
        value = _factor_value(factor)
        fields[f"factor.{factor}"] = _alpha(multi, coders, value, "ordinal", len(LEVELS))
    for group in TARGET_GROUPS:
        value = _group_value(group)
        fields[f"target_group.{group}"] = _alpha(multi, coders, value, "nominal", 2)
    return {
        "method": "Krippendorff's alpha (label, target groups: nominal; factors: ordinal)",
        "tasks": len(tasks),
        "tasks_with_2_or_more_reviews": len(multi),
        "resolutions": dict(Counter(t.resolution for t in tasks)),
        "fields": fields,
        "annotators": _per_annotator(tasks),
    }


def _label_value(review: Review) -> float | None:
    return None if review.label is None else float(LABELS.index(review.label))


def _factor_value(factor: str) -> Value:
    def value(review: Review) -> float | None:
        level = review.factors[factor]  # None: can't tell, missing rather than a level
        return None if level is None else float(LEVELS.index(level))

    return value


def _group_value(group: str) -> Value:
    def value(review: Review) -> float | None:
        return 1.0 if group in review.target_groups else 0.0

    return value


def _alpha(
    tasks: Sequence[ReviewedTask], coders: list[str], value: Value, level: str, domain: int
) -> dict[str, Any]:
    matrix = np.full((len(coders), len(tasks)), np.nan)
    for column, task in enumerate(tasks):
        # A reviewer who annotated a task twice counts once, with the later annotation.
        for review in sorted(task.annotations, key=lambda r: r.updated_at):
            found = value(review)
            if found is not None:
                matrix[coders.index(review.annotator), column] = found
    pairable = int(np.sum(np.sum(~np.isnan(matrix), axis=0) >= 2))
    result: dict[str, Any] = {"alpha": None, "units": pairable, "level": level}
    if pairable < 2:
        result["reason"] = "fewer than two tasks with two or more answers"
        return result
    try:
        with warnings.catch_warnings():  # no expected disagreement: 0/0, reported below
            warnings.simplefilter("ignore", RuntimeWarning)
            alpha = krippendorff.alpha(
                reliability_data=matrix,
                level_of_measurement=level,  # type: ignore[arg-type]
                value_domain=list(range(domain)),
            )
    except ValueError as err:
        result["reason"] = str(err)
        return result
    if math.isnan(alpha):
        result["reason"] = "every answer was the same value: agreement is undefined"
    else:
        result["alpha"] = round(float(alpha), 4)
    return result


def _per_annotator(tasks: Sequence[ReviewedTask]) -> dict[str, dict[str, Any]]:
    stats: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"annotations": 0, "labels": Counter(), "with_majority": 0, "contested": 0}
    )
    for task in tasks:
        for review in task.annotations:
            entry = stats[review.annotator]
            entry["annotations"] += 1
            entry["labels"][review.label] += 1
            if len(task.annotations) >= 2 and task.label is not None:
                entry["contested"] += 1
                entry["with_majority"] += int(review.label == task.label)
    return {
        name: {
            "annotations": s["annotations"],
            "labels": dict(s["labels"]),
            "agrees_with_majority": round(s["with_majority"] / s["contested"], 4)
            if s["contested"]
            else None,
        }
        for name, s in sorted(stats.items())
    }
