"""The early-warning summary of a finished scoring output, as one self-contained HTML page.

`write_report(output, "report.html")` reads the scorer's output into a `scoring.summary.Summary`
and writes: counts per label, target group and Rabat decision; the top evidence terms; with a
timestamp column, the daily hateful rate (hate_speech or incitement) overall and per target group
as SVG charts and tables, with the days where a rate jumps above its recent baseline (`JumpRule`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from rabat.labels import LABELS
from rabat.signals import TARGET_GROUPS
from scoring.report_chart import chart, legend
from scoring.report_html import PAGE, Cell, count_rows, escape, listed, share, table
from scoring.summary import (
    DECISIONS,
    OVERALL,
    Jump,
    JumpRule,
    Point,
    Summary,
    find_jumps,
    read_output,
)

logger = logging.getLogger(__name__)

DEFAULT_RULE = JumpRule()  # frozen, so one shared default is safe


@dataclass(frozen=True)
class ReportResult:
    """What `write_report` wrote: the page, the rows read, the days with texts, the jumps."""

    path: Path
    rows: int
    days: int
    jumps: list[Jump]


def write_report(
    output_path: str | Path,
    html_path: str | Path,
    timestamp_column: str = "timestamp",
    rule: JumpRule = DEFAULT_RULE,
    top_terms: int = 30,
    term_cap: int = 10_000,
) -> ReportResult:
    """Summarise a scoring output into `html_path` (written atomically); return what it found."""
    summary = Summary(timestamp_column, term_cap)
    summary.add_batch(read_output(output_path))
    return write_summary(summary, html_path, Path(output_path).name, rule, top_terms)


def write_summary(
    summary: Summary,
    html_path: str | Path,
    source: str,
    rule: JumpRule = DEFAULT_RULE,
    top_terms: int = 30,
) -> ReportResult:
    """Write the page for a filled Summary (e.g. one fed while scoring): a tmp file, replaced in."""
    series = summary.series()
    jumps = [j for group, points in series.items() for j in find_jumps(group, points, rule)]
    jumps.sort(key=lambda j: j.day)
    page = render_html(summary, series, jumps, source, rule, top_terms)
    target = Path(html_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # beside the target, so os.replace is atomic; opened plainly to get the umask's permissions
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    logger.info("wrote scoring report to %s (%d rows, %d jumps)", target, summary.rows, len(jumps))
    return ReportResult(target, summary.rows, len(summary.day_totals), jumps)


HOW_MADE = (
    "This page summarises the output of a batch scoring run (<code>python -m scoring</code>): one "
    "row per text, each labelled by the Rabat model. Written by <code>scoring.report</code> from "
    "<code>{source}</code> on {now}."
)
CAVEATS = (
    "The labels and target groups are the model's reading of the words alone, not adjudications; "
    "the Rabat decision weighs context the archive may not hold. Rates depend on what the archive "
    "holds: a change in what was collected (sources, keywords, volume) moves them as much as a "
    "change in speech. Treat jumps as pointers for human review, not findings."
)
RATES_HOW = (
    "The hateful rate of a day is the share of that day's texts labelled hate_speech or "
    "incitement; per group, those with the group among their targets. Days without texts are "
    "gaps (no point, the line breaks), not zeros. A jump (red ring) is a rate above the mean of "
    "the {window} days before it (at least {min_prior} with texts) by more than {k:g} standard "
    "deviations of those days, more than {k:g} times the sampling error of a rate over that "
    "day's texts, and at least {points:g} percentage points, with at least {min_count} hateful "
    "texts that day."
)


def render_html(
    summary: Summary,
    series: dict[str, list[Point]],
    jumps: Sequence[Jump],
    source: str,
    rule: JumpRule,
    top_terms: int,
) -> str:
    """The whole page: header, counts, daily rates and jumps, evidence terms."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    n = summary.rows
    decisions = count_rows(summary.decisions, DECISIONS, n)
    body = [
        f"<h1>Early-warning summary of {escape(source)}</h1>",
        f"<p class=how>{HOW_MADE.format(source=escape(source), now=now)}</p>",
        f"<p class=caveat>{CAVEATS}</p>",
        _meta(summary),
        "<h2>Labels</h2>",
        table("labels", ["label", "texts", "share"], count_rows(summary.labels, LABELS, n)),
        "<h2>Rabat decisions</h2>",
        table("decisions", ["decision", "texts", "share"], decisions),
        "<h2>Target groups</h2>",
        "<p>A text may count for several groups.</p>",
        _targets_table(summary),
        "<h2>Daily hateful rates</h2>",
        _daily(summary, series, jumps, rule),
        "<h2>Evidence terms</h2>",
        _terms_section(summary, top_terms),
    ]
    return PAGE.format(title=escape(f"Early-warning summary of {source}"), body="\n".join(body))


def _meta(summary: Summary) -> str:
    items = [
        ("texts", str(summary.rows)),
        ("model versions", listed(summary.model_versions.top(20))),
        ("languages", listed(summary.languages.top(20))),
    ]
    return (
        "<ul class=meta>" + "".join(f"<li><b>{k}</b>: {escape(v)}</li>" for k, v in items) + "</ul>"
    )


def _targets_table(summary: Summary) -> str:
    t, n = summary.targets, summary.rows
    rows = [[g, str(t[g]), share(t[g], n), str(summary.hateful_targets[g])] for g in TARGET_GROUPS]
    return table("targets", ["group", "texts", "share", "hateful texts"], rows)


def _jumps_table(jumps: Sequence[Jump]) -> str:
    if not jumps:
        return "<p>No jumps.</p>"
    head = ["day", "group", "rate", "baseline", "sd", "hateful texts"]
    rows = [
        [str(j.day), j.group, *(f"{v:.1%}" for v in (j.rate, j.baseline, j.sd)), str(j.count)]
        for j in jumps
    ]
    return table("jumps", head, rows)


def _daily(
    summary: Summary, series: dict[str, list[Point]], jumps: Sequence[Jump], rule: JumpRule
) -> str:
    column = escape(summary.timestamp_column)
    if not summary.has_timestamps:
        return f"<p class=absent>No timestamp column <code>{column}</code>: no daily rates.</p>"
    parts = [
        table(
            "timestamps",
            [f"column {summary.timestamp_column}", "texts"],
            [
                ["dated", str(sum(summary.day_totals.values()))],
                ["missing (null or empty)", str(summary.missing_timestamps)],
                ["unparseable", str(summary.bad_timestamps)],
            ],
        )
    ]
    if not summary.day_totals:
        return parts[0] + "<p class=absent>No row has a readable timestamp: no daily rates.</p>"
    marked = {(j.day, j.group) for j in jumps}
    groups = {g: points for g, points in series.items() if g != OVERALL}
    days = sorted(summary.day_totals)
    parts += [
        f"<p>From {days[0]} to {days[-1]}: {len(days)} days with texts (UTC days).</p>",
        f"<p class=how>{RATES_HOW.format(**vars(rule), points=rule.floor * 100)}</p>",
        "<h3>All groups</h3>",
        chart("overall", {OVERALL: series[OVERALL]}, marked),
        "<h3>Per target group</h3>",
        chart("groups", groups, marked) + legend(groups)
        if groups
        else "<p>No hateful text with a target group has a readable timestamp.</p>",
        "<h3>Jumps</h3>",
        _jumps_table(jumps),
        "<h3>Daily series</h3>",
        _series_table(series, marked),
    ]
    return "\n".join(parts)


def _series_table(series: dict[str, list[Point]], marked: set[tuple[date, str]]) -> str:
    overall = series[OVERALL]
    rows: list[list[Cell]] = []
    for i, point in enumerate(overall):
        row: list[Cell] = [point.day.isoformat(), str(point.total)]
        for group, points in series.items():
            p = points[i]
            text = f"{p.rate:.1%} ({p.count})"
            row.append((text, "jump") if (p.day, group) in marked else text)
        rows.append(row)
    return table("series", ["day", "texts", *series], rows)


def _terms_section(summary: Summary, top: int) -> str:
    tables = [("terms", "all texts", summary.terms)]
    tables += [(f"terms-{label}", label, c) for label, c in summary.terms_by_label.items()]
    blocks = [
        f"<div><h3>{escape(title)}</h3>"
        + table(table_id, ["term", "texts"], [[t, str(c)] for t, c in counter.top(top)])
        + "</div>"
        for table_id, title, counter in tables
    ]
    note = (
        "Lower-cased evidence spans; a term counts once per text. "
        f"Each counter keeps at most {summary.terms.cap} terms"
    )
    if any(c.pruned for _, _, c in tables):
        note += ": it was pruned, so counts of rare terms are approximate (undercounts)"
    return f"<p>{note}.</p><div class=row>{''.join(blocks)}</div>"
