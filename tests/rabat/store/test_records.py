"""Streaming rows from CSV and JSON lines: limits per line and per text, line numbers, and
errors that name the file, the line and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rabat.store.records import FileFormatError, Rejected, Row, read_rows


def rows(path: Path, max_chars: int = 100, encoding: str = "utf-8") -> list[Row | Rejected]:
    return list(read_rows(path, ("text",), "text", max_chars, encoding))


def test_jsonl_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "one"}\n\n{"text": "two", "id": 7}\n')
    assert rows(path) == [Row(1, {"text": "one"}), Row(3, {"text": "two", "id": 7})]


def test_an_over_long_jsonl_line_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    huge = json.dumps({"text": "y" * 3_000_000})
    path.write_text('{"text": "one"}\n' + huge + '\n{"text": "three"}\n')
    found = rows(path, max_chars=100)
    assert [type(r).__name__ for r in found] == ["Row", "Rejected", "Row"]
    rejected = found[1]
    assert isinstance(rejected, Rejected) and rejected.line == 2
    assert f"a line of {len(huge) + 1:,} bytes" in rejected.reason
    assert found[2] == Row(3, {"text": "three"})


def test_a_text_over_the_limit_within_the_line_cap_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": "z" * 150}) + "\n")
    (found,) = rows(path, max_chars=100)
    assert isinstance(found, Rejected)
    assert found.reason.startswith("a text of 150 characters, over the limit of 100")


def test_csv_quoted_fields_span_lines_and_rows_start_where_they_start(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbftext,id\n"two\nlines",1\nplain,2\n')
    assert rows(path) == [
        Row(2, {"text": "two\nlines", "id": "1"}),
        Row(4, {"text": "plain", "id": "2"}),
    ]


def test_an_over_long_csv_line_inside_a_quoted_field_rejects_that_row_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    long_line = "w" * 2_000_000
    path.write_text(f'text\nfirst\n"start\n{long_line}\nend"\nlast\n')
    found = rows(path, max_chars=100)
    assert [type(r).__name__ for r in found] == ["Row", "Rejected", "Row"]
    assert found[1].line == 3
    assert found[2] == Row(6, {"text": "last"})


def test_a_single_line_csv_larger_than_the_csv_field_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("text\n" + "q" * 300_000 + "\nok\n")
    found = rows(path, max_chars=100)
    assert isinstance(found[0], Rejected) and found[0].line == 2
    assert found[1] == Row(3, {"text": "ok"})


def test_bytes_that_are_not_utf8_name_the_line_and_offer_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"text\nfine\ncaf\xe9\n")
    with pytest.raises(
        FileFormatError,
        match=r"a.csv, line 3: not valid utf-8 \(byte 0xe9 at "
        r"byte 4 of the line\)\. .*--encoding",
    ):
        rows(path)
    assert rows(path, encoding="latin-1")[1] == Row(3, {"text": "café"})


def test_utf16_files_read_with_their_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "één"}\n{"text": "two"}\n', encoding="utf-16")
    with pytest.raises(FileFormatError, match=r"line 1: (not valid utf-8|holds NUL bytes)"):
        rows(path)
    assert rows(path, encoding="utf-16") == [Row(1, {"text": "één"}), Row(2, {"text": "two"})]


def test_nul_bytes_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "a\x00b"}\n')
    with pytest.raises(FileFormatError, match=r"a.jsonl, line 1: holds NUL bytes"):
        rows(path)


def test_an_unclosed_quote_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('text\n"never closed\n' + ("more\n" * 40_000))
    with pytest.raises(FileFormatError, match=r"a.csv, line \d+: not readable as CSV .*quote"):
        rows(path, max_chars=100)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.jsonl", "", r"a.jsonl: no rows: the file is empty\. Expected one JSON object"),
        ("a.csv", "", r"a.csv: no rows: the file is empty or holds only its header"),
        ("a.csv", "text\n", r"a.csv: no rows"),
        ("a.tsv", "text\n", r"unsupported file type '\.tsv'"),
        ("a.csv", "body\nx\n", r"a.csv, line 1 \(header\): no column text: .*found body"),
        ("a.jsonl", "[1, 2]\n", r"a.jsonl, line 1: invalid JSON|found a list"),
        ("a.jsonl", '{"text": "a"}\n{"text": \n', r"a.jsonl, line 2: invalid JSON"),
    ],
)
def test_unreadable_files_say_where_and_what(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(FileFormatError, match=message):
        rows(path)


def test_an_unknown_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("text\nx\n")
    with pytest.raises(FileFormatError, match=r"unknown encoding 'utf-99'"):
        rows(path, encoding="utf-99")


def test_reject_invalid_turns_a_broken_json_line_into_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "a"}\n{"text": \n[1, 2]\n{"text": "b"}\n', encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"line 2: invalid JSON"):
        list(read_rows(path, required=("text",)))
    rows = list(read_rows(path, required=("text",), reject_invalid=True))
    assert [type(r) for r in rows] == [Row, Rejected, Rejected, Row]
    assert isinstance(rows[1], Rejected) and rows[1].line == 2
    assert "invalid JSON" in rows[1].reason and "column" in rows[1].reason
    assert isinstance(rows[2], Rejected) and "found a list" in rows[2].reason


def test_a_json_array_file_stops_even_when_lines_may_be_rejected(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('[{"text": "a"},\n{"text": "b"}]\n', encoding="utf-8")
    with pytest.raises(FileFormatError, match="looks like one JSON array"):
        list(read_rows(path, required=("text",), reject_invalid=True))
