"""Reading a pool of texts to review: CSV or JSONL, streamed, blanks and repeats skipped, rows
over the limit named, clear errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from annotation.pool import PoolFile, PoolStats, check_pool, read_pool


def test_a_csv_pool_keeps_extra_columns_and_skips_blanks_and_repeats(tmp_path: Path) -> None:
    path = tmp_path / "pool.csv"
    path.write_text(
        "id,text,channel\n1,have a nice day,forum\n2,,forum\n3,Have  a nice day,chat\n"
        '4,"you are a silly goose, really",chat\n',
        encoding="utf-8",
    )
    stats = PoolStats()
    items = list(read_pool(PoolFile(path), stats))
    assert [item.text for item in items] == ["have a nice day", "you are a silly goose, really"]
    assert items[0].extra == {"id": "1", "channel": "forum"}
    assert [item.line for item in items] == [2, 5]
    assert (stats.rows, stats.texts, stats.blank, stats.repeated) == (4, 2, 1, 1)


def test_a_jsonl_pool(tmp_path: Path) -> None:
    path = tmp_path / "pool.jsonl"
    path.write_text('{"text": "tea or coffee", "source": "s1"}\n\n{"text": "grey skies"}\n')
    items = list(read_pool(PoolFile(path)))
    assert [(i.text, i.extra, i.line) for i in items] == [
        ("tea or coffee", {"source": "s1"}, 1),
        ("grey skies", {}, 3),
    ]


def test_rows_over_the_limit_are_named_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "pool.jsonl"
    path.write_text('{"text": "short"}\n{"text": "' + "x" * 50 + '"}\n{"text": "also short"}\n')
    with caplog.at_level(logging.WARNING):
        stats = check_pool(PoolFile(path, max_chars=20))
    assert (stats.texts, stats.rejected) == (2, 1)
    assert "pool.jsonl, line 2: skipped: a text of 50 characters, over the limit of 20" in (
        caplog.text
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pool.csv", "id,body\n1,hello\n", r"line 1 \(header\): no column text: .*found id, body"),
        ("pool.jsonl", '{"body": "hello"}\n', r"pool.jsonl, line 1: no field text: .*found body"),
        ("pool.jsonl", '["hello"]\n', r"found a list"),
        ("pool.jsonl", "{oops\n", r"pool.jsonl, line 1: invalid JSON"),
        ("pool.csv", "", r"pool.csv: no rows: the file is empty"),
        ("pool.jsonl", "", r"pool.jsonl: no rows: the file is empty"),
        ("pool.jsonl", '{"text": " "}\n', r"no texts to review: 1 row\(s\), 1 blank"),
        ("pool.csv", "text\n\n", r"pool.csv: no rows: the file is empty or holds only its header"),
    ],
)
def test_malformed_pools_say_what_was_expected(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        check_pool(PoolFile(path))


def test_a_missing_pool_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing.csv: no such file"):
        check_pool(PoolFile(tmp_path / "missing.csv"))
