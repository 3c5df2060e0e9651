"""The report's tables: metric getters, the column sets, and cells formatted with the best marked.

`results` maps an evaluated file (or split) name to {system name: `compute_metrics` output}; the
transformer is the system named "transformer".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rabat.labels import LABELS

TRANSFORMER = "transformer"


Results = dict[str, dict[str, dict[str, Any]]]


Column = tuple[str, Callable[[dict[str, Any]], float | None], bool]


def metric(*keys: str) -> Callable[[dict[str, Any]], float | None]:
    """A getter for a nested metric: `metric("per_label", "none", "f1")`."""

    def get(metrics: dict[str, Any]) -> float | None:
        value: Any = metrics
        for key in keys:
            value = value[key]
        return None if value is None else float(value)

    return get


ECE: Column = ("ECE", metric("calibration", "ece"), False)


HEADLINE: list[Column] = [
    ("macro-F1", metric("macro_f1"), True),
    *[(f"F1 {label}", metric("per_label", label, "f1"), True) for label in LABELS],
    ("accuracy", metric("accuracy"), True),
    ("hateful F1", metric("binary_hateful", "f1"), True),
    ("hateful PR-AUC", metric("binary_hateful", "pr_auc"), True),
    ECE,
]


BINARY: list[Column] = [
    (name, metric("binary_hateful", key), True)
    for name, key in [
        ("precision", "precision"),
        ("recall", "recall"),
        ("F1", "f1"),
        ("ROC-AUC", "roc_auc"),
        ("PR-AUC", "pr_auc"),
    ]
]


HOW_TO_READ = (
    "Each row is one system scored on the same texts. Macro-F1 averages the F1 of every label "
    "present in the gold labels, so rare labels weigh as much as common ones. Bold marks the best "
    "value per column (lowest for ECE). A dash means undefined (e.g. no precision for a label a "
    "system never predicts). Confusion matrices: rows are the gold label, columns the prediction, "
    "numbers are counts, colour is the share of the row. ECE is the mean gap between confidence "
    "and accuracy (0 is perfectly calibrated). HateSonar has no incitement class."
)


def table(systems: dict[str, dict[str, Any]], columns: list[Column]) -> list[list[str]]:
    """Rows of formatted cells (system first); a best cell per column is wrapped in `**`."""
    names = list(systems)
    values = [[get(systems[name]) for _, get, _ in columns] for name in names]
    rows = [[name] for name in names]
    for c, (_, _, higher) in enumerate(columns):
        column = [row[c] for row in values]
        best = best_of(column, higher) if len(names) > 1 else None
        for r, value in enumerate(column):
            cell = fmt(value)
            rows[r].append(f"**{cell}**" if best is not None and value == best else cell)
    return rows


def md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def best_of(values: list[float | None], higher: bool) -> float | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return max(present) if higher else min(present)


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
