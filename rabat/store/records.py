"""Rows of texts from a CSV or JSON-lines file, read as a stream in bounded memory.

    for row in read_rows(path, required=("text",), max_chars=10_000):
        if isinstance(row, Rejected): ...   # one row over the limit: its line and why
        else: row.fields["text"]

Each line is read with a size cap, so a 1 GB line costs a few megabytes: a line or a text over
the limit becomes a `Rejected` row (its line number and size) and the reading goes on. What
makes the whole file unreadable (an encoding it is not in, invalid JSON, a missing column, no
rows at all) raises a `FileFormatError` that names the file, the line and what to do.

JSON lines (`.jsonl`, `.ndjson`, `.json`): one object per line, blank lines ignored. CSV: a
header row, fields quoted as spreadsheets write them (a quoted field may span lines).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rabat.store.lines import FileFormatError, Lines
from rabat.text.cleaning import MAX_TEXT_CHARS

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
# A JSON line carries its text escaped (up to 12 bytes for one character: a surrogate pair)
# and other fields beside it; a line past this budget cannot hold a text within the limit.
BYTES_PER_CHAR = 12
LINE_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class Row:
    """One row: the line it starts on and its fields (CSV values are strings)."""

    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Rejected:
    """A row left out: the line it starts on and why (over the per-text limit)."""

    line: int
    reason: str


def file_format(path: Path) -> str:
    """ "jsonl" or "csv" by the file's suffix; a FileFormatError for anything else."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise FileFormatError(
        f"{path}: unsupported file type {suffix or '(no suffix)'!r}: expected "
        f"{', '.join(JSONL_SUFFIXES)} (JSON lines) or .csv. Rename or convert the file."
    )


def read_rows(
    path: Path,
    required: Sequence[str],
    text_field: str = "text",
    max_chars: int = MAX_TEXT_CHARS,
    encoding: str = "utf-8",
    fmt: str | None = None,
    max_line_bytes: int | None = None,
    reject_invalid: bool = False,
) -> Iterator[Row | Rejected]:
    """Stream the rows of `path`; every row has the `required` fields (else FileFormatError),
    and a `text_field` longer than `max_chars` characters is `Rejected`, as is a line longer
    than `max_line_bytes` (default: what a text of `max_chars` can take). `reject_invalid`:
    a JSON line that is not one object (or lacks a required field) is `Rejected` with the
    reason instead of stopping the reading (batch scoring goes on past one broken line)."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be a positive number of characters, got {max_chars}")
    if not path.is_file():
        raise FileFormatError(f"{path}: no such file: check the path")
    fmt = fmt or file_format(path)
    cap = max_line_bytes or max_chars * BYTES_PER_CHAR + LINE_OVERHEAD
    rows = 0
    with path.open("rb") as handle:
        lines = Lines(path, handle, encoding, cap)
        rows_of = (
            _jsonl_rows(path, lines, required, reject_invalid)
            if fmt == "jsonl"
            else _csv_rows(path, lines, required)
        )
        for row in rows_of:
            rows += 1
            if isinstance(row, Row):
                row = _check_length(row, text_field, max_chars)
            yield row
    if rows == 0:
        raise FileFormatError(
            f"{path}: no rows: the file is empty"
            + (" or holds only its header" if fmt == "csv" else "")
            + f". Expected {_expected(fmt, required)}"
        )


def _expected(fmt: str, required: Sequence[str]) -> str:
    if fmt == "jsonl":
        return f"one JSON object per line with the field(s) {', '.join(required)}"
    return f"a CSV header naming the column(s) {', '.join(required)}, then one row per text"


def _check_length(row: Row, text_field: str, max_chars: int) -> Row | Rejected:
    text = row.fields.get(text_field)
    if isinstance(text, str) and len(text) > max_chars:
        return Rejected(
            row.line,
            f"a text of {len(text):,} characters, over the limit of {max_chars:,}: split it, "
            "or raise --max-chars",
        )
    return row


def _overlong(size: int, cap: int) -> str:
    return (
        f"a line of {size:,} bytes, over the {cap:,} bytes a text within the limit can take: "
        "split it, or raise --max-chars"
    )


def _jsonl_rows(
    path: Path, lines: Lines, required: Sequence[str], reject_invalid: bool = False
) -> Iterator[Row | Rejected]:
    for line in lines:
        number = lines.number
        if number in lines.overlong:
            yield Rejected(number, _overlong(lines.overlong.pop(number), lines.cap))
            continue
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        problem = parse_json_line(line, number, required)
        if isinstance(problem, dict):
            yield Row(number, problem)
        elif reject_invalid and not (number == 1 and line.lstrip().startswith("[")):
            yield Rejected(number, problem)
        else:
            raise FileFormatError(f"{where}: {problem}")


def parse_json_line(line: str, number: int, required: Sequence[str]) -> dict[str, Any] | str:
    """A JSON line's object, or what is wrong with it (a reason for a reject or an error)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        hint = (
            "The file looks like one JSON array: write one object per line instead."
            if number == 1 and line.lstrip().startswith("[")
            else "Fix the line so it is one complete JSON object."
        )
        return f"invalid JSON ({err.msg} at column {err.colno}). {hint}"
    if not isinstance(record, dict):
        return (
            f"expected a JSON object with the field(s) {', '.join(required) or 'text'}, "
            f"found a {type(record).__name__}. Write one object per line."
        )
    missing = [key for key in required if key not in record]
    if missing:
        found = ", ".join(list(record)[:8]) or "none"
        return (
            f"no field {', '.join(missing)}: expected {', '.join(required)}, "
            f"found {found}. Add the field, or rename it."
        )
    return record


def _csv_rows(path: Path, lines: Lines, required: Sequence[str]) -> Iterator[Row | Rejected]:
    csv.field_size_limit(max(csv.field_size_limit(), lines.cap))
    reader = csv.reader(lines)
    header: list[str] | None = None
    last = 0
    try:
        for values in reader:
            first, last = last + 1, reader.line_num
            size = lines.overlong_in(first, last)
            if header is None:
                if size is not None:
                    raise FileFormatError(f"{path}, line 1 (header): {_overlong(size, lines.cap)}")
                header = [name.strip() for name in values]
                _check_header(path, header, required)
                continue
            if size is not None:
                yield Rejected(first, _overlong(size, lines.cap))
            elif values:
                yield Row(first, dict(zip(header, values, strict=False)))
    except csv.Error as err:
        raise FileFormatError(
            f"{path}, line {reader.line_num}: not readable as CSV ({err}). A quoted field that "
            "is never closed makes the rest of the file one field: check the quotes near there."
        ) from None


def _check_header(path: Path, header: list[str], required: Sequence[str]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise FileFormatError(
            f"{path}, line 1 (header): no column {', '.join(missing)}: expected the column(s) "
            f"{', '.join(required)}, found {', '.join(header[:8]) or 'no header'}. Add or rename "
            "the header row."
        )
