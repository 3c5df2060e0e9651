"""The early-warning page: counts, daily rates and jumps, evidence terms, escaping, reading."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scoring.report import write_report
from scoring.summary import read_output
from tests.scoring.test_summary import DAY0, row

SPAN = {"start": pa.int64(), "end": pa.int64(), "text": pa.string(), "kind": pa.string()}
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("label", pa.string()),
        *[(f"score_{n}", pa.float64()) for n in ("none", "offensive", "hate_speech", "incitement")],
        ("targets", pa.list_(pa.string())),
        ("call_to_violence", pa.float64()),
        ("dehumanisation", pa.float64()),
        ("evidence", pa.list_(pa.struct({**SPAN, "weight": pa.float64()}))),
        ("decision", pa.string()),
        ("combined_score", pa.float64()),
        ("language", pa.string()),
        ("model_version", pa.string()),
        ("timestamp", pa.string()),
    ]
)


def write_parquet(path: Path, rows: list[dict[str, Any]], schema: pa.Schema = SCHEMA) -> Path:
    if not any("timestamp" in r for r in rows):
        schema = schema.remove(schema.get_field_index("timestamp"))
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


class Page(HTMLParser):
    """What the tests read from the report: tables by id, chart circles and paths, text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.cell_classes: dict[str, list[list[str | None]]] = {}
        self.circles: list[dict[str, str | None]] = []
        self.paths: list[dict[str, str | None]] = []
        self.charts: list[str | None] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._table: str | None = None
        self._chart: str | None = None
        self._cell: list[str] | None = None
        self._in_body = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self._table = a["id"]
            self.tables[a["id"] or ""] = []
            self.cell_classes[a["id"] or ""] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table:
            self.tables[self._table].append([])
            self.cell_classes[self._table].append([])
        elif tag == "td" and self._in_body and self._table:
            self._cell = []
            self.cell_classes[self._table][-1].append(a.get("class"))
        elif tag == "svg":
            self._chart = a.get("data-chart")
            self.charts.append(self._chart)
        elif tag in ("circle", "path"):
            (self.circles if tag == "circle" else self.paths).append({**a, "chart": self._chart})

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def counts(self, table: str) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self.tables[table]}

    def group_points(self) -> list[dict[str, str | None]]:
        return [c for c in self.circles if c["chart"] == "groups"]


def report(tmp_path: Path, source: Path, **kwargs: Any) -> tuple[Page, Any]:
    out = tmp_path / "report.html"
    result = write_report(source, out, **kwargs)
    return Page(out.read_text(encoding="utf-8")), result


MIXED = [
    # (label, targets, decision)
    *[("none", (), "not_met")] * 6,
    *[("offensive", ("gender",), "not_met")] * 3,
    ("hate_speech", ("religion",), "not_met"),
    ("hate_speech", ("religion", "migration"), "undetermined"),
    ("hate_speech", ("migration",), "undetermined"),
    ("hate_speech", (), "not_met"),
    ("incitement", ("religion",), "met"),
    ("incitement", ("race_ethnicity",), "not_met"),
]


@pytest.mark.parametrize("form", ["parquet", "jsonl"])
def test_counts_per_label_decision_and_target_match_the_rows(tmp_path: Path, form: str) -> None:
    rows = [
        row(i, DAY0 + timedelta(days=i % 3), label, targets, decision=decision)
        for i, (label, targets, decision) in enumerate(MIXED)
    ]
    rows[-1]["model_version"] = "m-2"
    writer = write_parquet if form == "parquet" else write_jsonl
    page, result = report(tmp_path, writer(tmp_path / f"out.{form}", rows))
    assert result.rows == len(MIXED) == 15
    assert page.counts("labels") == {"none": 6, "offensive": 3, "hate_speech": 4, "incitement": 2}
    assert page.counts("decisions") == {"met": 1, "not_met": 12, "undetermined": 2}
    targets = {r[0]: (int(r[1]), int(r[3])) for r in page.tables["targets"]}
    assert targets["religion"] == (3, 3)
    assert targets["migration"] == (2, 2)
    assert targets["gender"] == (3, 0)
    assert targets["race_ethnicity"] == (1, 1)
    assert targets["disability"] == (0, 0)
    assert page.tables["labels"][0] == ["none", "6", "40.0%"]
    text = "".join(page.text)
    assert "m-1 (14), m-2 (1)" in text
    assert "not adjudications" in text


def test_chart_has_one_point_per_day_and_group_present(tmp_path: Path) -> None:
    rows = [row(i, DAY0 + timedelta(days=i), "hate_speech", ("religion",)) for i in range(5)]
    rows += [row(10 + i, DAY0 + timedelta(days=i), "incitement", ("migration",)) for i in (0, 4)]
    # a group only on non-hateful texts draws no line
    rows.append(row(20, DAY0, "offensive", ("gender",)))
    page, result = report(tmp_path, write_parquet(tmp_path / "out.parquet", rows))
    assert result.days == 5
    assert page.charts == ["overall", "groups"]
    points = page.group_points()
    assert len(points) == 5 * 2
    assert {p["data-group"] for p in points} == {"religion", "migration"}
    migration = {
        p["data-day"]: float(p["data-rate"] or "nan")
        for p in points
        if p["data-group"] == "migration"
    }
    assert migration["2026-03-01"] == pytest.approx(1 / 3)
    assert migration["2026-03-03"] == 0.0
    overall = [c for c in page.circles if c["chart"] == "overall"]
    assert [c["data-day"] for c in overall] == [str(DAY0 + timedelta(days=i)) for i in range(5)]
    assert {r[0] for r in page.tables["series"]} == {c["data-day"] for c in overall}


def daily_rows(hateful: dict[str, list[int]], per_day: int = 100) -> list[dict[str, Any]]:
    """`per_day` texts a day; hateful[group][d] of them hate_speech against the group on day d."""
    rows: list[dict[str, Any]] = []
    days = len(next(iter(hateful.values())))
    for d in range(days):
        day = DAY0 + timedelta(days=d)
        for group, counts in hateful.items():
            rows += [row(len(rows), day, "hate_speech", (group,)) for _ in range(counts[d])]
        rows += [row(len(rows), day) for _ in range(per_day - sum(c[d] for c in hateful.values()))]
    return rows


def test_a_spike_is_marked_as_a_jump_and_a_flat_series_is_not(tmp_path: Path) -> None:
    religion = [2] * 10
    religion[7] = 12
    rows = daily_rows({"religion": religion, "migration": [3] * 10})
    page, result = report(tmp_path, write_parquet(tmp_path / "out.parquet", rows))
    spike = str(DAY0 + timedelta(days=7))
    assert {(str(j.day), j.group) for j in result.jumps} == {(spike, "religion"), (spike, "all")}
    jump = next(j for j in result.jumps if j.group == "religion")
    assert (jump.rate, jump.baseline, jump.count) == (pytest.approx(0.12), pytest.approx(0.02), 12)
    marked = [c for c in page.circles if "jump" in (c["class"] or "").split()]
    assert {(c["data-day"], c["data-group"]) for c in marked} == {
        (spike, "religion"),
        (spike, "all"),
    }
    assert [r[:4] for r in page.tables["jumps"]] == [
        [spike, "all", "15.0%", "5.0%"],
        [spike, "religion", "12.0%", "2.0%"],
    ]
    series_day = next(i for i, r in enumerate(page.tables["series"]) if r[0] == spike)
    assert "jump" in page.cell_classes["series"][series_day]

    flat_page, flat = report(
        tmp_path, write_parquet(tmp_path / "flat.parquet", daily_rows({"migration": [3] * 10}))
    )
    assert flat.jumps == []
    assert "jumps" not in flat_page.tables
    assert "No jumps." in "".join(flat_page.text)
    assert not [c for c in flat_page.circles if "jump" in (c["class"] or "")]


def test_days_without_texts_are_gaps(tmp_path: Path) -> None:
    days = [0, 1, 3, 4]
    rows = [row(d, DAY0 + timedelta(days=d), "hate_speech", ("religion",)) for d in days]
    page, result = report(tmp_path, write_jsonl(tmp_path / "out.jsonl", rows))
    assert result.days == 4
    gap = str(DAY0 + timedelta(days=2))
    assert gap not in {c["data-day"] for c in page.circles}
    line = next(p for p in page.paths if p["chart"] == "groups")
    assert (line["d"] or "").count("M") == 2
    assert gap not in {r[0] for r in page.tables["series"]}


def test_missing_and_unparseable_timestamps_are_counted(tmp_path: Path) -> None:
    rows = [row(i, DAY0, "hate_speech", ("religion",)) for i in range(3)]
    rows += [row(3, None), row(4, "not a date"), row(5, ""), row(6, "2026-13-40")]
    rows[3]["timestamp"] = None
    rows.append(row(7, None))  # no timestamp key at all
    page, result = report(tmp_path, write_jsonl(tmp_path / "out.jsonl", rows))
    assert result.rows == 8
    assert page.counts("timestamps") == {
        "dated": 3,
        "missing (null or empty)": 2,
        "unparseable": 2,
    }
    assert len(page.group_points()) == 1


def test_no_timestamp_column_means_no_chart(tmp_path: Path) -> None:
    rows = [row(i, None, "hate_speech", ("religion",)) for i in range(4)]
    page, result = report(tmp_path, write_parquet(tmp_path / "out.parquet", rows))
    assert result.days == 0 and result.jumps == []
    assert page.charts == [] and page.circles == []
    assert "timestamps" not in page.tables and "series" not in page.tables
    assert "No timestamp column timestamp" in "".join(page.text)
    assert page.counts("labels")["hate_speech"] == 4
    page, _ = report(
        tmp_path, write_parquet(tmp_path / "out.parquet", rows), timestamp_column="<t>"
    )
    assert "No timestamp column <t>:" in "".join(page.text)


def test_parquet_timestamp_type_and_another_column_name(tmp_path: Path) -> None:
    rows = [row(i, None, "incitement", ("migration",)) for i in range(4)]
    for i, r in enumerate(rows):
        r["posted"] = datetime(2026, 3, 1 + i % 2, 12, tzinfo=UTC) if i < 3 else None
    schema = SCHEMA.append(pa.field("posted", pa.timestamp("us", tz="UTC")))
    source = write_parquet(tmp_path / "out.parquet", rows, schema)
    page, result = report(tmp_path, source, timestamp_column="posted")
    assert result.days == 2
    assert page.counts("timestamps")["dated"] == 3
    assert page.counts("timestamps")["missing (null or empty)"] == 1
    assert {c["data-day"] for c in page.group_points()} == {"2026-03-01", "2026-03-02"}


def test_top_evidence_terms_and_counts(tmp_path: Path) -> None:
    rows = [row(i, label="hate_speech", terms=["term-a"]) for i in range(5)]
    rows += [row(10 + i, label="incitement", terms=["Term-B", "term-a"]) for i in range(3)]
    rows += [row(20, label="none", terms=["placeholder", "PLACEHOLDER"])]
    page, _ = report(tmp_path, write_jsonl(tmp_path / "out.jsonl", rows), top_terms=2)
    assert page.tables["terms"] == [["term-a", "8"], ["term-b", "3"]]
    assert page.tables["terms-hate_speech"] == [["term-a", "5"]]
    assert page.tables["terms-incitement"] == [["term-a", "3"], ["term-b", "3"]]
    page, _ = report(tmp_path, write_jsonl(tmp_path / "out.jsonl", rows))
    assert ["placeholder", "1"] in page.tables["terms"]


def test_evidence_text_is_escaped_and_the_page_is_self_contained(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script> & <img src=x>'
    rows = [row(0, label="hate_speech", terms=[hostile])]
    source = write_jsonl(tmp_path / "out.jsonl", rows)
    out = tmp_path / "report.html"
    write_report(source, out)
    raw = out.read_text(encoding="utf-8")
    assert "<script" not in raw.lower() and "<img" not in raw.lower()
    assert "&lt;script&gt;" in raw
    page = Page(raw)
    assert page.tables["terms"][0][0] == hostile.lower()
    linked = [a for _, a in page.tags if a.get("src") or a.get("href")]
    assert linked == [] and "http://" not in raw and "https://" not in raw


def test_pruned_counter_says_counts_are_approximate(tmp_path: Path) -> None:
    rows = [row(i, terms=[f"term-{i}"]) for i in range(30)]
    page, _ = report(tmp_path, write_jsonl(tmp_path / "out.jsonl", rows), term_cap=10)
    assert "approximate" in "".join(page.text)
    page, _ = report(tmp_path, write_jsonl(tmp_path / "out.jsonl", rows[:5]), term_cap=10)
    assert "approximate" not in "".join(page.text)


def test_reads_a_folder_of_parquet_parts(tmp_path: Path) -> None:
    parts = tmp_path / "scored"
    parts.mkdir()
    for p in range(3):
        rows = [
            row(p * 10 + i, DAY0 + timedelta(days=p), "hate_speech", ("religion",))
            for i in range(4)
        ]
        write_parquet(parts / f"part_{p:06d}.parquet", rows)
    (parts / "_SUCCESS").write_text("")
    assert sorted(r["id"] for r in read_output(parts)) == sorted(
        f"t{p * 10 + i}" for p in range(3) for i in range(4)
    )
    page, result = report(tmp_path, parts)
    assert (result.rows, result.days) == (12, 3)
    assert page.counts("labels")["hate_speech"] == 12


def test_a_row_off_the_contract_fails_and_keeps_the_previous_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(write_jsonl(tmp_path / "good.jsonl", [row(0)]), out)
    before = out.read_text(encoding="utf-8")
    bad = write_jsonl(tmp_path / "bad.jsonl", [row(0), row(1, label="severe")])
    with pytest.raises(ValueError, match=r"row 2 \(id 't1'\): unknown label 'severe'"):
        write_report(bad, out)
    bad = write_jsonl(tmp_path / "bad.jsonl", [row(0, targets=["nobody"])])
    with pytest.raises(ValueError, match=r"row 1 \(id 't0'\): unknown target groups \['nobody'\]"):
        write_report(bad, out)
    bad = write_jsonl(tmp_path / "bad.jsonl", [row(0, decision="maybe")])
    with pytest.raises(ValueError, match="unknown decision 'maybe'"):
        write_report(bad, out)
    assert out.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
