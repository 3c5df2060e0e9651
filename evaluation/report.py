"""Write an evaluation report: metrics.json, confusion and reliability PNGs, HTML and Markdown.

`results` maps an evaluated file (or split) name to {system name: `compute_metrics` output}; the
transformer is the system named "transformer".
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Figure without pyplot renders with the Agg canvas: no display and no global backend state.
from matplotlib.figure import Figure

from rabat.labels import LABELS
from evaluation.cases import table_rows as case_rows
from evaluation.evidence import table_rows as evidence_rows
from training.functional.suite import table_rows

logger = logging.getLogger(__name__)

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


FUNCTIONAL_HOW = (
    "Rabat's own functional suite (training/functional): templates filled with identity groups "
    "and slurs; a case is right when the label is one the category expects (hateful: "
    "hate_speech or incitement; threats: incitement; the rest: none or offensive)."
)
EVIDENCE_HOW = (
    "HateXplain's validation posts labelled hate speech or offensive, against the union of the "
    "annotators' rationales: token-F1 of the top 5 words, IOU-F1 at 0.5 and AUPRC (higher is "
    "better); comprehensiveness (drop with the top 5 words deleted, higher is better) and "
    "sufficiency (drop with only they kept, lower is better). Toxic Spans: SemEval-2021 Task 5 "
    "character F1 of the evidence as the service returns it (docs/evidence.md)."
)
CASES_HOW = (
    "The Rabat decision on the case bank (docs/cases): adjudicated cases with the circumstances "
    "the body established. Agreement: the decision is met for incitement, not met for hate "
    "speech below the threshold and protected expression (undetermined counts as a "
    "disagreement). The policy was tuned on the calibration part; held_apart is the figure to "
    "report. Then the functional suite's threat texts in a high-risk public and a low-risk "
    "private context (evaluation/cases.py)."
)
Section = tuple[str, str, list[tuple[list[str], list[list[str]]]]]


def sections(
    functional: dict[str, Any] | None,
    evidence: dict[str, Any] | None,
    cases: dict[str, Any] | None,
) -> list[Section]:
    """The report's sections beyond the per-file tables: title, how to read it, tables."""
    found: list[Section] = []
    if functional:
        found.append(
            ("Functional suite: accuracy per category", FUNCTIONAL_HOW, [table_rows(functional)])
        )
    if evidence:
        found.append(
            ("Evidence: plausibility and faithfulness", EVIDENCE_HOW, evidence_rows(evidence))
        )
    if cases:
        found.append(("The Rabat decision: case bank", CASES_HOW, case_rows(cases)))
    return found


def write_report(
    results: Results,
    out_dir: str | Path,
    meta: dict[str, Any],
    functional: dict[str, dict[str, Any]] | None = None,
    evidence: dict[str, Any] | None = None,
    cases: dict[str, Any] | None = None,
) -> Path:
    """Write metrics.json, PNGs, report.html and report.md into out_dir; return report.html.

    Everything is rendered in a temporary folder inside out_dir first and moved in only when
    complete (report.html last), so a failure (a full disk) leaves the previous report whole."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "meta": meta,
        "labels": list(LABELS),
        "files": results,
        "functional": functional,
        "evidence": evidence,
        "cases": cases,
    }
    extra = sections(functional, evidence, cases)
    with tempfile.TemporaryDirectory(dir=out, prefix=".report.") as staging:
        tmp = Path(staging)
        (tmp / "metrics.json").write_text(
            json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
        images = _write_images(results, tmp)
        (tmp / "report.md").write_text(render_markdown(results, meta, extra), encoding="utf-8")
        (tmp / "report.html").write_text(
            render_html(results, meta, images, extra), encoding="utf-8"
        )
        names = sorted(p.name for p in tmp.iterdir() if p.name != "report.html")
        for name in [*names, "report.html"]:
            os.replace(tmp / name, out / name)
    page = out / "report.html"
    logger.info("wrote evaluation report to %s", page)
    return page


def _write_images(results: Results, out: Path) -> dict[str, dict[str, Path]]:
    """Confusion matrices for every system and a reliability diagram for the transformer."""
    images: dict[str, dict[str, Path]] = {}
    for key, systems in results.items():
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
        images[key] = {}
        for system, metrics in systems.items():
            path = out / f"{stem}_{system}_confusion.png"
            plot_confusion(np.asarray(metrics["confusion_matrix"]), f"{system} on {key}", path)
            images[key][system] = path
        if TRANSFORMER in systems:
            path = out / f"{stem}_{TRANSFORMER}_reliability.png"
            plot_reliability(systems[TRANSFORMER]["calibration"], f"{TRANSFORMER} on {key}", path)
            images[key]["reliability"] = path
    return images


def plot_confusion(matrix: np.ndarray, title: str, path: Path) -> None:
    """Counts annotated, colour by row share (the recall of each gold label)."""
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    fig = Figure(figsize=(4.6, 4.0))
    ax = fig.subplots()
    ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for (i, j), count in np.ndenumerate(matrix):
        colour = "white" if shares[i, j] > 0.6 else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=colour, fontsize=10)
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=30, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_reliability(calibration: dict[str, Any], title: str, path: Path) -> None:
    """Accuracy against confidence per bin, the diagonal, and how many texts fall in each bin."""
    bins = calibration["bins"]
    centres = [(b["lower"] + b["upper"]) / 2 for b in bins]
    width = bins[0]["upper"] - bins[0]["lower"]
    accuracy = [b["accuracy"] or 0.0 for b in bins]
    fig = Figure(figsize=(4.6, 5.0))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top.bar(centres, accuracy, width=width, edgecolor="black", color="#4a7fb5", label="accuracy")
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    top.set_ylabel("accuracy")
    top.set_ylim(0, 1)
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"{title} (ECE {calibration['ece']:.3f})", fontsize=10)
    bottom.bar(centres, [b["count"] for b in bins], width=width, color="grey")
    bottom.set_xlabel("top-label confidence")
    bottom.set_ylabel("texts")
    bottom.set_xlim(0, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def table(systems: dict[str, dict[str, Any]], columns: list[Column]) -> list[list[str]]:
    """Rows of formatted cells (system first); a best cell per column is wrapped in `**`."""
    names = list(systems)
    values = [[get(systems[name]) for _, get, _ in columns] for name in names]
    rows = [[name] for name in names]
    for c, (_, _, higher) in enumerate(columns):
        column = [row[c] for row in values]
        best = _best(column, higher) if len(names) > 1 else None
        for r, value in enumerate(column):
            cell = _fmt(value)
            rows[r].append(f"**{cell}**" if best is not None and value == best else cell)
    return rows


def render_markdown(results: Results, meta: dict[str, Any], extra: Sequence[Section] = ()) -> str:
    """The headline and hateful-vs-not tables per file, and the `sections` (functional suite,
    evidence, case bank), as Markdown."""
    lines = [f"# Evaluation of {meta.get('model_version', 'model')}", "", HOW_TO_READ, ""]
    for title, how, tables in extra:
        lines += [f"## {title}", "", how, ""]
        for head, rows in tables:
            lines += [*_md_table(head, rows), ""]
    for key, systems in results.items():
        n = next(iter(systems.values()))["n"]
        lines += [f"## {key} ({n} texts)", ""]
        lines += _md_table(["system", *[c[0] for c in HEADLINE]], table(systems, HEADLINE))
        lines += ["", "Hateful (hate_speech or incitement) vs not:", ""]
        lines += _md_table(["system", *[c[0] for c in BINARY]], table(systems, BINARY))
        lines.append("")
    return "\n".join(lines)


def render_html(
    results: Results,
    meta: dict[str, Any],
    images: dict[str, dict[str, Path]],
    extra: Sequence[Section] = (),
) -> str:
    """One self-contained page: tables, then images embedded as base64."""
    title = f"Evaluation of {meta.get('model_version', 'model')}"
    body = [f"<h1>{html.escape(title)}</h1>", _html_meta(meta), f"<p class=how>{HOW_TO_READ}</p>"]
    for heading, how, tables in extra:
        body += [f"<h2>{html.escape(heading)}</h2>", f"<p class=how>{how}</p>"]
        body += [_html_table(head, rows) for head, rows in tables]
    for key, systems in results.items():
        n = next(iter(systems.values()))["n"]
        body += [
            f"<h2>{html.escape(key)} <small>({n} texts)</small></h2>",
            "<h3>Headline</h3>",
            _html_table(["system", *[c[0] for c in HEADLINE]], table(systems, HEADLINE)),
            "<h3>Per label: precision / recall / F1</h3>",
            _html_per_label(systems),
            "<h3>Per corpus</h3>",
            _html_per_source(systems),
            "<h3>Hateful (hate_speech or incitement) vs not</h3>",
            _html_support(systems),
            _html_table(["system", *[c[0] for c in BINARY]], table(systems, BINARY)),
            "<h3>Calibration</h3>",
            _html_table(["system", "ECE (15 bins)"], table(systems, [ECE])),
            _html_images([images[key]["reliability"]] if "reliability" in images[key] else []),
            "<h3>Confusion matrices</h3>",
            _html_images([images[key][name] for name in systems]),
        ]
    return PAGE.format(title=html.escape(title), body="\n".join(body))


def _html_per_label(systems: dict[str, dict[str, Any]]) -> str:
    head = ["label (support)"] + [f"{name} {m}" for name in systems for m in ("P", "R", "F1")]
    rows = []
    for label in LABELS:
        support = next(iter(systems.values()))["per_label"][label]["support"]
        row = [f"{label} ({support})"]
        for metrics in systems.values():
            scores = metrics["per_label"][label]
            row += [_fmt(scores["precision"]), _fmt(scores["recall"]), _fmt(scores["f1"])]
        rows.append(row)
    return _html_table(head, rows)


def _html_per_source(systems: dict[str, dict[str, Any]]) -> str:
    first = next(iter(systems.values()))["per_source"]
    head = ["corpus (texts)"] + [f"{name} {m}" for name in systems for m in ("macro-F1", "acc")]
    rows = []
    for source, stats in first.items():
        row = [f"{source} ({stats['n']})"]
        for metrics in systems.values():
            own = metrics["per_source"][source]
            row += [_fmt(own["macro_f1"]), _fmt(own["accuracy"])]
        rows.append(row)
    return _html_table(head, rows)


def _html_support(systems: dict[str, dict[str, Any]]) -> str:
    binary = next(iter(systems.values()))["binary_hateful"]
    return (
        f"<p>{binary['support_hateful']} hateful and {binary['support_not_hateful']} other texts; "
        "AUCs rank texts by p(hate_speech) + p(incitement).</p>"
    )


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        if text.startswith("**") and text.endswith("**"):
            return f"<td><b>{html.escape(text[2:-2])}</b></td>"
        return f"<td>{html.escape(text)}</td>"

    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _html_images(paths: list[Path]) -> str:
    tags = []
    for path in paths:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        tags.append(f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">')
    return f"<div class=images>{''.join(tags)}</div>"


def _html_meta(meta: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return "—" if value is None else str(value)

    items = "".join(
        f"<li><b>{html.escape(str(k))}</b>: {html.escape(show(v))}</li>" for k, v in meta.items()
    )
    return f"<ul class=meta>{items}</ul>"


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _best(values: list[float | None], higher: bool) -> float | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return max(present) if higher else min(present)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 80em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.92em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }}
th {{ background: #f2f4f7; }} td:first-child, th:first-child {{ text-align: left; }}
tbody tr:nth-child(even) {{ background: #fafafa; }}
.how {{ background: #eef5ff; padding: 0.7em 1em; border-left: 4px solid #4a7fb5; }}
.images {{ display: flex; flex-wrap: wrap; gap: 1em; }} .meta {{ color: #555; }}
</style></head>
<body>
{body}
</body></html>
"""
