"""Write an evaluation report: metrics.json, confusion and reliability PNGs, HTML and Markdown.

`results` maps an evaluated file (or split) name to {system name: `compute_metrics` output}; the
transformer is the system named "transformer". Tables: evaluation/tables.py; the page:
evaluation/report_page.py; the images: evaluation/plots.py.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation.case_tables import table_rows as case_rows
from evaluation.evidence import table_rows as evidence_rows
from evaluation.plots import write_images
from evaluation.report_page import Section, render_html
from evaluation.tables import BINARY, HEADLINE, HOW_TO_READ, Results, md_table, table
from rabat.labels import LABELS
from training.functional.suite import table_rows

logger = logging.getLogger(__name__)


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
        images = write_images(results, tmp)
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


def render_markdown(results: Results, meta: dict[str, Any], extra: Sequence[Section] = ()) -> str:
    """The headline and hateful-vs-not tables per file, and the `sections` (functional suite,
    evidence, case bank), as Markdown."""
    lines = [f"# Evaluation of {meta.get('model_version', 'model')}", "", HOW_TO_READ, ""]
    for title, how, tables in extra:
        lines += [f"## {title}", "", how, ""]
        for head, rows in tables:
            lines += [*md_table(head, rows), ""]
    for key, systems in results.items():
        n = next(iter(systems.values()))["n"]
        lines += [f"## {key} ({n} texts)", ""]
        lines += md_table(["system", *[c[0] for c in HEADLINE]], table(systems, HEADLINE))
        lines += ["", "Hateful (hate_speech or incitement) vs not:", ""]
        lines += md_table(["system", *[c[0] for c in BINARY]], table(systems, BINARY))
        lines.append("")
    return "\n".join(lines)
