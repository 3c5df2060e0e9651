"""The report as one self-contained HTML page: tables, then images embedded as base64."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation.tables import BINARY, ECE, HEADLINE, HOW_TO_READ, Results, fmt, table
from rabat.labels import LABELS

Section = tuple[str, str, list[tuple[list[str], list[list[str]]]]]
"""A report section: title, how to read it, and its tables (header, rows)."""


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
            row += [fmt(scores["precision"]), fmt(scores["recall"]), fmt(scores["f1"])]
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
            row += [fmt(own["macro_f1"]), fmt(own["accuracy"])]
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
