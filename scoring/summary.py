"""Reading a finished scoring output and counting it: `read_output` streams the scorer's rows
(Parquet, a folder of Parquet parts, or JSON lines) into a `Summary`, which counts labels, target
groups, Rabat decisions, evidence terms and daily hateful rates; `find_jumps` finds the days where
a rate jumps above its recent baseline (`JumpRule`).

Memory stays bounded whatever the number of rows: Parquet is read in batches, and the counters
of evidence terms, model versions and languages keep at most `cap` entries (`TermCounter`);
past the cap, counts of rare terms are approximate. The daily counts grow with days x groups.
"""

from __future__ import annotations

import heapq
import json
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from rabat.labels import HATEFUL, parse_label
from rabat.signals import TARGET_GROUPS

DECISIONS: tuple[str, ...] = ("met", "not_met", "undetermined")
MISSING = "(missing)"
OVERALL = "all"
TERM_CHARS = 80


@dataclass(frozen=True)
class JumpRule:
    """When a daily rate counts as a jump above its recent baseline.

    The baseline is the mean and (population) standard deviation of the rates on the `window`
    calendar days before the day, counting only days with texts; it needs `min_prior` such days.
    A day jumps when rate > mean + max(k * sd, k * se, floor) and it has at least `min_count`
    hateful texts (for the group, or overall). `se` = sqrt(mean * (1 - mean) / n), the sampling
    error of a rate over the day's n texts: seven days estimate the spread poorly, and without
    it a quiet series of random rows raised jumps that were noise (5 in 100,000 random rows).
    A jump day stays in later baselines."""

    window: int = 7
    min_prior: int = 3
    k: float = 3.0
    floor: float = 0.02
    min_count: int = 5

    def __post_init__(self) -> None:
        if not 1 <= self.min_prior <= self.window:
            raise ValueError(
                f"JumpRule needs 1 <= min_prior <= window, found min_prior={self.min_prior}, "
                f"window={self.window}: lower min_prior or widen the window"
            )
        if self.k < 0 or self.floor < 0 or self.min_count < 0:
            raise ValueError(
                f"JumpRule needs k, floor and min_count >= 0, found k={self.k}, "
                f"floor={self.floor}, min_count={self.min_count}"
            )


@dataclass(frozen=True)
class Point:
    """One day of a rate series: `count` hateful texts of `total` texts that day."""

    day: date
    count: int
    total: int

    @property
    def rate(self) -> float:
        return self.count / self.total


@dataclass(frozen=True)
class Jump:
    """A day whose rate for `group` ("all" for every group) rose above its baseline."""

    day: date
    group: str
    rate: float
    baseline: float
    sd: float
    count: int


class TermCounter:
    """A counter holding at most `cap` keys: past it, only the most common `cap // 2` are kept.

    A pruned key that comes back starts again from zero, so past the cap the counts of rare
    terms are undercounts and `pruned` is true; frequent terms are never pruned."""

    def __init__(self, cap: int = 10_000) -> None:
        if cap < 2:
            raise ValueError(f"TermCounter cap must be at least 2, found {cap}")
        self.cap = cap
        self.counts: Counter[str] = Counter()
        self.pruned = False

    def add(self, key: str) -> None:
        self.counts[key] += 1
        if len(self.counts) > self.cap:
            self.counts = Counter(dict(self.top(self.cap // 2)))
            self.pruned = True

    def top(self, n: int) -> list[tuple[str, int]]:
        """The n most common keys, ties in alphabetical order."""
        return heapq.nsmallest(n, self.counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def __len__(self) -> int:
        return len(self.counts)


class Summary:
    """Streaming counts over the scorer's rows: feed it with `add` or `add_batch`."""

    def __init__(self, timestamp_column: str = "timestamp", term_cap: int = 10_000) -> None:
        self.timestamp_column = timestamp_column
        self.rows = 0
        self.labels: Counter[str] = Counter()
        self.decisions: Counter[str] = Counter()
        self.targets: Counter[str] = Counter()
        self.hateful_targets: Counter[str] = Counter()
        self.model_versions = TermCounter(100)
        self.languages = TermCounter(1_000)
        self.terms = TermCounter(term_cap)
        self.terms_by_label = {label: TermCounter(term_cap) for label in sorted(HATEFUL)}
        self.has_timestamps = False
        self.missing_timestamps = 0
        self.bad_timestamps = 0
        self.day_totals: Counter[date] = Counter()
        self.day_hateful: Counter[date] = Counter()
        self.day_group_hateful: Counter[tuple[date, str]] = Counter()

    def add_batch(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def add(self, row: Mapping[str, Any]) -> None:
        """Count one output row; raise a ValueError naming the row on a value off the contract."""
        try:
            label = parse_label(str(row.get("label"))).value
            targets = _targets(row.get("targets"))
            decision = row.get("decision") or MISSING
            if decision not in (*DECISIONS, MISSING):
                raise ValueError(f"unknown decision {decision!r}: expected one of {DECISIONS}")
        except ValueError as error:
            raise ValueError(f"row {self.rows + 1} (id {row.get('id')!r}): {error}") from None
        hateful = label in HATEFUL
        self.rows += 1
        self.labels[label] += 1
        self.decisions[decision] += 1
        self.targets.update(targets)
        if hateful:
            self.hateful_targets.update(targets)
        self.model_versions.add(str(row.get("model_version") or MISSING))
        self.languages.add(str(row.get("language") or MISSING))
        for term in _terms(row.get("evidence")):
            self.terms.add(term)
            if hateful:
                self.terms_by_label[label].add(term)
        self._add_day(row, hateful, targets)

    def _add_day(self, row: Mapping[str, Any], hateful: bool, targets: set[str]) -> None:
        if self.timestamp_column not in row:
            return
        self.has_timestamps = True
        value = row[self.timestamp_column]
        if value is None or value == "":
            self.missing_timestamps += 1
            return
        day = parse_day(value)
        if day is None:
            self.bad_timestamps += 1
            return
        self.day_totals[day] += 1
        if hateful:
            self.day_hateful[day] += 1
            for group in targets:
                self.day_group_hateful[day, group] += 1

    def series(self) -> dict[str, list[Point]]:
        """The daily hateful rate overall (`"all"`) and per target group with a dated hateful
        text, on every day with texts (days without texts are absent: gaps, not zeros)."""
        days = sorted(self.day_totals)
        groups = [g for g in TARGET_GROUPS if any(g == key[1] for key in self.day_group_hateful)]
        found = {OVERALL: [Point(d, self.day_hateful[d], self.day_totals[d]) for d in days]}
        for group in groups:
            found[group] = [
                Point(d, self.day_group_hateful[d, group], self.day_totals[d]) for d in days
            ]
        return found


def parse_day(value: Any) -> date | None:
    """The UTC day of an ISO 8601 string, a date, a datetime or epoch seconds; None if unreadable.

    Naive datetimes are taken as UTC."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).date()
        except (ValueError, OverflowError, OSError):
            return None
    if isinstance(value, str):
        try:
            return parse_day(datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


def _targets(value: Any) -> set[str]:
    if value is None:
        return set()
    if not isinstance(value, list | tuple):
        raise ValueError(f"targets must be a list of group names, found {value!r:.80}")
    unknown = [v for v in value if v not in TARGET_GROUPS]
    if unknown:
        raise ValueError(f"unknown target groups {unknown}: expected {TARGET_GROUPS}")
    return set(value)


def _terms(evidence: Any) -> set[str]:
    """Lower-cased evidence texts of one row, each once (terms count texts, not spans)."""
    found = set()
    for span in evidence or ():
        text = " ".join(str((span or {}).get("text") or "").lower().split())
        if text:
            found.add(text if len(text) <= TERM_CHARS else text[: TERM_CHARS - 1] + "…")
    return found


def find_jumps(group: str, points: Sequence[Point], rule: JumpRule = JumpRule()) -> list[Jump]:
    """The points whose rate jumps above the baseline of the days before them (see JumpRule)."""
    by_day = {p.day: p for p in points}
    jumps = []
    for p in points:
        before = (p.day - timedelta(days=i) for i in range(1, rule.window + 1))
        prior = [by_day[d].rate for d in before if d in by_day]
        if len(prior) < rule.min_prior or p.count < rule.min_count:
            continue
        mean, sd = statistics.fmean(prior), statistics.pstdev(prior)
        se = (mean * (1 - mean) / p.total) ** 0.5
        if p.rate > mean + max(rule.k * sd, rule.k * se, rule.floor):
            jumps.append(Jump(p.day, group, p.rate, mean, sd, p.count))
    return jumps


def read_output(path: str | Path, batch_size: int = 10_000) -> Iterator[dict[str, Any]]:
    """Stream the rows of a scoring output: a Parquet file, a folder of Parquet parts (the Ray
    engine's; names starting with `.` or `_` are skipped) or JSON lines."""
    source = Path(path)
    if source.is_dir():
        parts = sorted(p for p in source.rglob("*.parquet") if not p.name.startswith((".", "_")))
        if not parts:
            raise ValueError(f"no .parquet part files in folder {source}: expected scorer output")
        for part in parts:
            yield from _read_parquet(part, batch_size)
        return
    with source.open("rb") as head:
        magic = head.read(4)
    if magic == b"PAR1":
        yield from _read_parquet(source, batch_size)
    else:
        yield from _read_jsonl(source)


def _read_parquet(path: Path, batch_size: int) -> Iterator[dict[str, Any]]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
        yield from batch.to_pylist()


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path}:{number}: not JSON ({error}): expected a Parquet file or JSON lines"
                ) from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object, found {row!r:.60}")
            yield row
