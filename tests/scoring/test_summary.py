"""Reading and counting a scoring output: jumps and their rule, days, bounded counters, errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scoring.summary import (
    JumpRule,
    Point,
    Summary,
    TermCounter,
    find_jumps,
    parse_day,
    read_output,
)

DAY0 = date(2026, 3, 1)


def row(
    i: int,
    day: date | str | None = DAY0,
    label: str = "none",
    targets: Sequence[str] = (),
    terms: Sequence[str] = (),
    decision: str = "not_met",
    version: str = "m-1",
) -> dict[str, Any]:
    """One scorer output row with placeholder evidence texts."""
    evidence = [
        {"start": 0, "end": len(t), "text": t, "kind": "lexical", "weight": 0.5} for t in terms
    ]
    found: dict[str, Any] = {
        "id": f"t{i}",
        "label": label,
        **{f"score_{name}": 0.25 for name in ("none", "offensive", "hate_speech", "incitement")},
        "targets": list(targets),
        "call_to_violence": 0.1,
        "dehumanisation": 0.1,
        "evidence": evidence,
        "decision": decision,
        "combined_score": None,
        "language": "en",
        "model_version": version,
    }
    if day is not None:
        found["timestamp"] = day if isinstance(day, str) else f"{day.isoformat()}T10:00:00Z"
    return found


def points(counts: Sequence[int | None], total: int = 100) -> list[Point]:
    return [
        Point(DAY0 + timedelta(days=d), c, total) for d, c in enumerate(counts) if c is not None
    ]


def test_find_jumps_needs_prior_days_a_minimum_count_and_the_floor() -> None:
    assert [j.day for j in find_jumps("g", points([2, 2, 2, 12]))] == [DAY0 + timedelta(days=3)]
    # two prior days are fewer than min_prior
    assert find_jumps("g", points([2, 2, 12])) == []
    # a high rate from 4 texts of 10 is below min_count
    assert find_jumps("g", points([0, 0, 0, 4], total=10)) == []
    # 1 point above a flat baseline (on days large enough for the sampling error not to
    # matter) is under the 0.02 floor
    big = points([2000, 2000, 2000, 3000], total=100_000)
    assert find_jumps("g", big) == []
    assert find_jumps("g", big, JumpRule(floor=0.005)) != []
    # only the 7 days before count: a high old day has left the window
    assert find_jumps("g", points([50, 2, 2, 2, 2, 2, 2, 2, 12])) != []
    assert find_jumps("g", points([50, 2, 2, 2, 2, 2, 2, 12])) == []


def test_a_rise_within_the_sampling_error_of_a_small_day_is_not_a_jump() -> None:
    """10 % to 20 % over 50 texts is within 3 sampling errors (3 * 4.2 %): noise, not a jump;
    the same rise over 1,000 texts is not."""
    small = [Point(DAY0 + timedelta(days=d), c, 50) for d, c in enumerate([5, 5, 5, 10])]
    assert find_jumps("g", small) == []
    large = [Point(DAY0 + timedelta(days=d), c, 1000) for d, c in enumerate([100] * 3 + [200])]
    assert [j.day for j in find_jumps("g", large)] == [DAY0 + timedelta(days=3)]


def test_jump_rule_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="min_prior <= window"):
        JumpRule(window=2, min_prior=3)
    with pytest.raises(ValueError, match="k, floor and min_count >= 0"):
        JumpRule(floor=-0.1)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2026-03-04T10:00:00Z", date(2026, 3, 4)),
        ("2026-03-04", date(2026, 3, 4)),
        ("2026-03-04T23:30:00-02:00", date(2026, 3, 5)),
        ("2026-03-04T10:00:00", date(2026, 3, 4)),
        (1772618400, date(2026, 3, 4)),
        (1772618400.5, date(2026, 3, 4)),
        (datetime(2026, 3, 4, 23, 0, tzinfo=UTC), date(2026, 3, 4)),
        (date(2026, 3, 4), date(2026, 3, 4)),
        ("yesterday", None),
        (float("nan"), None),
        (1e20, None),
        (True, None),
    ],
)
def test_parse_day(value: Any, day: date | None) -> None:
    assert parse_day(value) == day


def test_term_counter_stays_bounded() -> None:
    counter = TermCounter(cap=100)
    for i in range(20_000):
        counter.add(f"term-{i}")
        if i % 10 == 0:
            counter.add("term-common")
    assert len(counter) <= 100
    assert counter.pruned
    assert counter.top(1) == [("term-common", 2_000)]

    summary = Summary(term_cap=50)
    summary.add_batch(row(i, label="hate_speech", terms=[f"term-{i}"]) for i in range(5_000))
    assert len(summary.terms) <= 50 and len(summary.terms_by_label["hate_speech"]) <= 50
    assert summary.rows == 5_000


def test_empty_folder_and_bad_json_lines_say_what_was_expected(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no \.parquet part files"):
        list(read_output(tmp_path / "empty"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row(0)) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: not JSON"):
        list(read_output(bad))
