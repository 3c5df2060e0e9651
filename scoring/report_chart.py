"""The report's SVG line charts of a daily rate: one path per series (broken at gaps), one circle
a day, jumps ringed; and their legend. Plain SVG, no script: the page stays self-contained."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from rabat.signals import TARGET_GROUPS
from scoring.report_html import escape
from scoring.summary import Point

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")
W, H, LEFT, RIGHT, TOP, BOTTOM = 900, 240, 56, 40, 12, 28
T = TypeVar("T")
Scale = Callable[[T], float]


def chart(name: str, series: dict[str, list[Point]], marked: set[tuple[date, str]]) -> str:
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
            f'<path class="line" data-group="{escape(group)}" stroke="{colour}" '
            f'd="{_path(points, x, y)}"/>'
        )
        for p in points:
            jump = (p.day, group) in marked
            parts.append(
                f'<circle class="point{" jump" if jump else ""}" data-group="{escape(group)}" '
                f'data-day="{p.day}" data-rate="{p.rate:.6g}" cx="{x(p.day):.1f}" '
                f'cy="{y(p.rate):.1f}" r="{5 if jump else 2.5}" fill="{colour}">'
                f"<title>{escape(group)} {p.day}: {p.rate:.1%} ({p.count} of {p.total})</title>"
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


def legend(series: Mapping[str, Any]) -> str:
    """The colour of each series, as a list under the chart."""
    items = "".join(
        f'<li><span class=swatch style="background:{_colour(g)}"></span>{escape(g)}</li>'
        for g in series
    )
    return f"<ul class=legend>{items}</ul>"
