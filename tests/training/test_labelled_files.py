"""Reading labelled JSONL and CSV files, and the errors a person sees when one is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.labelled_files import LabelledRow, read_labelled


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_jsonl_rows_with_optional_source_and_extra_keys(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "test.jsonl",
        [
            {"text": "have a nice day", "label": "none", "id": 7},
            {"text": "you are a silly goose", "label": "offensive", "source": "forum"},
        ],
    )
    assert read_labelled(path) == [
        LabelledRow("have a nice day", "none", "test"),
        LabelledRow("you are a silly goose", "offensive", "forum"),
    ]


def test_blank_lines_are_skipped_and_json_suffix_reads_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    path.write_text('{"text": "a", "label": "none"}\n\n{"text": "b", "label": "none"}\n')
    assert [row.text for row in read_labelled(path)] == ["a", "b"]


def test_csv_rows_ignore_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "sample.csv"
    path.write_text(
        'id,text,label,source\n1,"hello, friend",none,\n2,you are a silly goose,offensive,chat\n',
        encoding="utf-8",
    )
    assert read_labelled(path) == [
        LabelledRow("hello, friend", "none", "sample"),
        LabelledRow("you are a silly goose", "offensive", "chat"),
    ]


def test_csv_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftext,label\nhello,none\n".encode())
    assert read_labelled(path) == [LabelledRow("hello", "none", "excel")]


def test_unknown_label_names_file_line_and_valid_labels(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [{"text": "a", "label": "none"}, {"text": "b", "label": "hateful"}],
    )
    pattern = (
        r"bad\.jsonl, line 2: unknown label 'hateful': expected one of "
        r"none, offensive, hate_speech, incitement\. Fix the label"
    )
    with pytest.raises(ValueError, match=pattern):
        read_labelled(path)


def test_missing_csv_column_names_expected_and_found(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("content,label\nhello,none\n")
    pattern = (
        r"bad\.csv, line 1 \(header\): no column text: expected the column\(s\) text, label, "
        r"found content, label\. Add or rename"
    )
    with pytest.raises(ValueError, match=pattern):
        read_labelled(path)


def test_missing_jsonl_key_names_expected_and_found(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [{"text": "a", "class": "none"}])
    with pytest.raises(ValueError, match=r"line 1: no field label: .*found text, class"):
        read_labelled(path)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_rejected(tmp_path: Path, text: str) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [{"text": text, "label": "none"}])
    with pytest.raises(
        ValueError, match=r"line 1: expected a non-empty text string, found an empty"
    ):
        read_labelled(path)


def test_empty_csv_text_gives_the_line_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nhello,none\n,offensive\n")
    with pytest.raises(ValueError, match=r"bad\.csv, line 3: expected a non-empty text"):
        read_labelled(path)


def test_invalid_json_line_says_how_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a", "label": "none"}\n{"text": "b",\n')
    with pytest.raises(ValueError, match=r"line 2: invalid JSON .*one complete JSON object"):
        read_labelled(path)


def test_json_array_file_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text('[{"text": "a", "label": "none"},\n{"text": "b", "label": "none"}]\n')
    with pytest.raises(ValueError, match="looks like one JSON array"):
        read_labelled(path)


def test_non_object_line_is_rejected(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [["a", "none"]])
    with pytest.raises(
        ValueError, match="expected a JSON object with the field\\(s\\) text, label, found a list"
    ):
        read_labelled(path)


def test_unsupported_suffix_lists_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    path.write_text("text\tlabel\n")
    with pytest.raises(ValueError, match=r"unsupported file type '\.tsv': expected \.jsonl"):
        read_labelled(path)


def test_file_without_rows_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("text,label\n")
    with pytest.raises(ValueError, match="no rows: the file is empty or holds only its header"):
        read_labelled(path)


def test_texts_over_the_limit_are_skipped_with_their_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_jsonl(
        tmp_path / "long.jsonl",
        [{"text": "a", "label": "none"}, {"text": "b" * 30, "label": "none"}],
    )
    assert [row.text for row in read_labelled(path, max_chars=10)] == ["a"]
    assert "long.jsonl, line 2: skipped: a text of 30 characters" in caplog.text
    path = write_jsonl(tmp_path / "all_long.jsonl", [{"text": "c" * 30, "label": "none"}] * 2)
    with pytest.raises(ValueError, match=r"no labelled rows found: .*all 2 are over the limit"):
        read_labelled(path, max_chars=10)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_labelled(tmp_path / "nowhere.jsonl")
