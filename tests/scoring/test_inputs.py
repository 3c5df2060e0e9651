"""Reading the rows to score: formats, the checks on each row, and files that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scoring.inputs import Bad, FileFormatError, Item, Limits, Source
from tests.scoring.corpus import write_rows

ROWS = [
    {"id": "a", "text": "first placeholder text", "timestamp": "2026-03-01", "n": 1},
    {"id": "b", "text": "second placeholder text", "timestamp": "2026-03-02", "n": 2},
]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_each_format_gives_items_with_their_kept_columns(tmp_path: Path, suffix: str) -> None:
    source = Source.open(write_rows(ROWS, tmp_path / f"in{suffix}"), Limits())
    rows = list(source.rows())
    assert [type(r) for r in rows] == [Item, Item]
    assert [r.id for r in rows] == ["a", "b"]
    assert rows[1].text == "second placeholder text"
    assert source.keep == ("id", "timestamp", "n")
    kept_n = rows[1].keep["n"]
    assert kept_n == (2 if suffix == ".parquet" else "2")  # text formats keep strings


def test_without_an_id_column_line_numbers_stand_in(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "one"}\n\n{"text": "two"}\n', encoding="utf-8")
    source = Source.open(path, Limits())
    assert source.ids_from_lines
    assert [r.id for r in source.rows()] == ["1", "3"]


def test_bad_rows_are_rejected_with_their_reason_and_the_rest_read(tmp_path: Path) -> None:
    lines = [
        {"id": "ok", "text": "fine"},
        {"id": "empty", "text": "   "},
        {"id": "number", "text": 42},
        {"id": "null", "text": None},
        {"id": "long", "text": "x" * 50},
        {"id": "nofield", "body": "elsewhere"},
        {"id": "ctx", "text": "fine", "context": {"speaker": {"role": "no-such-role"}}},
    ]
    body = "".join(json.dumps(line) + "\n" for line in lines) + '{"id": "broken", "text": \n'
    path = tmp_path / "in.jsonl"
    path.write_text(body + '{"id": "after", "text": "still read"}\n', encoding="utf-8")
    rows = list(Source.open(path, Limits(max_chars=40)).rows())
    bad = {r.id or f"line {r.line}": r.reason for r in rows if isinstance(r, Bad)}
    assert [r.id for r in rows if isinstance(r, Item)] == ["ok", "after"]
    assert bad["empty"] == "the text is empty"
    assert bad["number"] == "the text is a int, not a string"
    assert bad["null"] == "the text is null, not a string"
    assert "50 characters, over the limit of 40" in bad["long"]
    assert "no 'text' field" in bad["nofield"]
    assert bad["ctx"].startswith("invalid context at speaker.role")
    assert "invalid JSON" in bad["line 8"] and "column" in bad["line 8"]


def test_a_context_column_reaches_the_item(tmp_path: Path) -> None:
    context = {"speaker": {"role": "political_leader", "influence": "high"}}
    rows = [{"id": "a", "text": "placeholder", "context": json.dumps(context)}]
    item = next(Source.open(write_rows(rows, tmp_path / "in.csv"), Limits()).rows())
    assert isinstance(item, Item) and item.context is not None
    assert item.context.speaker is not None and item.context.speaker.influence == "high"


def test_a_csv_without_a_text_column_names_the_columns(tmp_path: Path) -> None:
    path = write_rows([{"id": "a", "body": "x"}], tmp_path / "in.csv")
    with pytest.raises(FileFormatError, match=r"no column 'text': found id, body"):
        Source.open(path, Limits())


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_file_not_in_its_encoding_names_the_line(tmp_path: Path, suffix: str) -> None:
    path = write_rows(ROWS, tmp_path / f"in{suffix}")
    path.write_bytes(path.read_bytes() + b"c,caf\xe9 latin-1\n")  # line 4 (csv) or 3 (jsonl)
    line = 4 if suffix == ".csv" else 3
    with pytest.raises(FileFormatError, match=rf"line {line}: not valid utf-8 .*--encoding"):
        list(Source.open(path, Limits()).rows())


def test_a_parquet_file_without_text_or_with_numbers_as_text_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "missing.parquet"
    pq.write_table(pa.table({"id": ["a"], "body": ["x"]}), missing)
    with pytest.raises(FileFormatError, match="no column 'text': found id, body"):
        Source.open(missing, Limits())
    numbers = tmp_path / "numbers.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), numbers)
    with pytest.raises(FileFormatError, match="column 'text' is of type int64, expected strings"):
        Source.open(numbers, Limits())


def test_a_file_that_is_not_parquet_is_named(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    path.write_text("not parquet at all", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a readable Parquet file"):
        Source.open(path, Limits())


def test_an_unknown_suffix_says_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"expected JSON lines .* CSV .* or Parquet"):
        Source.open(path, Limits())


def test_keep_names_only_columns_the_file_has(tmp_path: Path) -> None:
    path = write_rows(ROWS, tmp_path / "in.parquet")
    assert Source.open(path, Limits(keep=("timestamp",))).keep == ("id", "timestamp")
    with pytest.raises(FileFormatError, match=r"--keep names column.* nope"):
        Source.open(path, Limits(keep=("nope",)))
