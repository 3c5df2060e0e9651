"""The early-warning summary of a finished scoring output, as one self-contained HTML page.

`write_report(output, "report.html")` reads the scorer's output into a `scoring.summary.Summary`
and writes: counts per label, target group and Rabat decision; the top evidence terms; with a
timestamp column, the daily hateful rate (hate_speech or incitement) overall and per target group
as SVG charts and tables, with the days where a rate jumps above its recent baseline (`JumpRule`).
"""

from __future__ import annotations

import html
import logging
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from rabat.labels import LABELS
from rabat.signals import TARGET_GROUPS
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
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


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
Cell = str | tuple[str, str]


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
    decisions = _counts(summary.decisions, DECISIONS, n)
    body = [
        f"<h1>Early-warning summary of {_e(source)}</h1>",
        f"<p class=how>{HOW_MADE.format(source=_e(source), now=now)}</p>",
        f"<p class=caveat>{CAVEATS}</p>",
        _meta(summary),
        "<h2>Labels</h2>",
        _table("labels", ["label", "texts", "share"], _counts(summary.labels, LABELS, n)),
        "<h2>Rabat decisions</h2>",
        _table("decisions", ["decision", "texts", "share"], decisions),
        "<h2>Target groups</h2>",
        "<p>A text may count for several groups.</p>",
        _targets_table(summary),
        "<h2>Daily hateful rates</h2>",
        _daily(summary, series, jumps, rule),
        "<h2>Evidence terms</h2>",
        _terms_section(summary, top_terms),
    ]
    return PAGE.format(title=_e(f"Early-warning summary of {source}"), body="\n".join(body))


def _meta(summary: Summary) -> str:
    items = [
        ("texts", str(summary.rows)),
        ("model versions", _listed(summary.model_versions.top(20))),
        ("languages", _listed(summary.languages.top(20))),
    ]
    return "<ul class=meta>" + "".join(f"<li><b>{k}</b>: {_e(v)}</li>" for k, v in items) + "</ul>"


def _targets_table(summary: Summary) -> str:
    t, n = summary.targets, summary.rows
    rows = [[g, str(t[g]), _share(t[g], n), str(summary.hateful_targets[g])] for g in TARGET_GROUPS]
    return _table("targets", ["group", "texts", "share", "hateful texts"], rows)


def _jumps_table(jumps: Sequence[Jump]) -> str:
    if not jumps:
        return "<p>No jumps.</p>"
    head = ["day", "group", "rate", "baseline", "sd", "hateful texts"]
    rows = [
        [str(j.day), j.group, *(f"{v:.1%}" for v in (j.rate, j.baseline, j.sd)), str(j.count)]
        for j in jumps
    ]
    return _table("jumps", head, rows)


def _daily(
    summary: Summary, series: dict[str, list[Point]], jumps: Sequence[Jump], rule: JumpRule
) -> str:
    column = _e(summary.timestamp_column)
    if not summary.has_timestamps:
        return f"<p class=absent>No timestamp column <code>{column}</code>: no daily rates.</p>"
    parts = [
        _table(
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
        _chart("overall", {OVERALL: series[OVERALL]}, marked),
        "<h3>Per target group</h3>",
        _chart("groups", groups, marked) + _legend(groups)
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
    return _table("series", ["day", "texts", *series], rows)


def _terms_section(summary: Summary, top: int) -> str:
    tables = [("terms", "all texts", summary.terms)]
    tables += [(f"terms-{label}", label, c) for label, c in summary.terms_by_label.items()]
    blocks = [
        f"<div><h3>{_e(title)}</h3>"
        + _table(table_id, ["term", "texts"], [[t, str(c)] for t, c in counter.top(top)])
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


W, H, LEFT, RIGHT, TOP, BOTTOM = 900, 240, 56, 40, 12, 28
T = TypeVar("T")
Scale = Callable[[T], float]


def _chart(name: str, series: dict[str, list[Point]], marked: set[tuple[date, str]]) -> str:
    """An SVG line chart of rate per day: one path per series (broken at gaps), one circle a day."""
    days = sorted({p.day for points in series.values() for p in points})
    first, span = days[0], max(1, (days[-1] - days[0]).days)
    top = _nice_max(max(p.rate for points in series.values() for p in points))

    def x(day: date) -> float:
        fraction = (day - first).days / span if len(days) > 1 else 0.5
        return LEFT + (W - LEFT - RIGHT) * fraction

    def y(rate: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - rate / top)

    parts = [_axes(days, top, x, y)]
    for group, points in series.items():
        colour = _colour(group)
        parts.append(
            f'<path class="line" data-group="{_e(group)}" stroke="{colour}" '
            f'd="{_path(points, x, y)}"/>'
        )
        for p in points:
            jump = (p.day, group) in marked
            parts.append(
                f'<circle class="point{" jump" if jump else ""}" data-group="{_e(group)}" '
                f'data-day="{p.day}" data-rate="{p.rate:.6g}" cx="{x(p.day):.1f}" '
                f'cy="{y(p.rate):.1f}" r="{5 if jump else 2.5}" fill="{colour}">'
                f"<title>{_e(group)} {p.day}: {p.rate:.1%} ({p.count} of {p.total})</title>"
                "</circle>"
            )
    return (
        f'<svg class="chart" data-chart="{name}" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="daily hateful rate, {name}">{"".join(parts)}</svg>'
    )


def _axes(days: list[date], top: float, x: Scale[date], y: Scale[float]) -> str:
    parts = [
        f'<line class="axis" x1="{LEFT}" y1="{y(0):.1f}" x2="{W - RIGHT}" y2="{y(0):.1f}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{y(0):.1f}"/>',
    ]
    for value in (0.0, top / 2, top):
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y(value):.1f}" x2="{W - RIGHT}" '
            f'y2="{y(value):.1f}"/><text class="tick" x="{LEFT - 4}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{value:.1%}</text>'
        )
    span = (days[-1] - days[0]).days
    ticks = sorted({days[0] + timedelta(days=round(i * span / 5)) for i in range(6)})
    for day in ticks:
        parts.append(
            f'<text class="tick" x="{x(day):.1f}" y="{H - 8}" text-anchor="middle">{day}</text>'
        )
    return "".join(parts)


def _path(points: Sequence[Point], x: Scale[date], y: Scale[float]) -> str:
    steps = []
    for i, p in enumerate(points):
        gap = i == 0 or (p.day - points[i - 1].day).days > 1
        steps.append(f"{'M' if gap else 'L'}{x(p.day):.1f},{y(p.rate):.1f}")
    return " ".join(steps)


def _nice_max(rate: float) -> float:
    return next((c for c in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5) if rate <= c), 1.0)


def _colour(group: str) -> str:
    return "#222" if group not in TARGET_GROUPS else COLOURS[TARGET_GROUPS.index(group)]


def _legend(series: Mapping[str, Any]) -> str:
    items = "".join(
        f'<li><span class=swatch style="background:{_colour(g)}"></span>{_e(g)}</li>'
        for g in series
    )
    return f"<ul class=legend>{items}</ul>"


def _counts(counts: Counter[str], order: Sequence[str], total: int) -> list[list[Cell]]:
    keys = [*order, *sorted(k for k in counts if k not in order)]
    return [[k, str(counts[k]), _share(counts[k], total)] for k in keys]


def _table(table_id: str, head: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    def cell(value: Cell) -> str:
        if isinstance(value, tuple):
            return f"<td class={value[1]}>{_e(value[0])}</td>"
        return f"<td>{_e(value)}</td>"

    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _listed(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{key} ({count})" for key, count in pairs) or "—"


def _share(count: int, total: int) -> str:
    return "—" if total == 0 else f"{count / total:.1%}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; max-width: 75em; margin: 1.5em auto; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.2em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.2em 0.8em; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }} th {{ border-bottom: 2px solid #999; }}
.how, .caveat {{ padding: 0.6em 1em; border-left: 4px solid #4a7fb5; background: #eef5ff; }}
.caveat {{ border-color: #d08a00; background: #fff6e5; }} .meta, .absent {{ color: #555; }}
.row {{ display: flex; flex-wrap: wrap; gap: 2em; }} td.jump {{ color: #c00; font-weight: bold; }}
svg.chart {{ width: 100%; max-width: 900px; height: auto; }} svg .tick {{ font-size: 11px; }}
svg .axis {{ stroke: #444; }} svg .grid {{ stroke: #e4e4e4; }} svg .line {{ fill: none; }}
svg .jump {{ stroke: #c00; stroke-width: 2.5; }}
.legend {{ display: flex; gap: 1.5em; list-style: none; padding: 0; }}
.swatch {{ display: inline-block; width: 1em; height: 0.6em; margin-right: 0.4em; }}
</style></head>
<body>
{body}
</body></html>
"""
