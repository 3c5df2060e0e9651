"""The rows to score, streamed from JSON lines, CSV or Parquet, each checked on its own.

    source = Source.open(Path("posts.parquet"), Limits())
    for row in source.rows():
        if isinstance(row, Bad): ...     # its line, its id and why: goes to the rejects file
        else: row.text, row.context, row.keep

A row is `Bad` when its text is missing, not a string, empty or over the length limit, when its
JSON line is broken, or when its `context` does not validate: it is left out and the run goes
on. What makes the whole file unreadable (a missing `text` column, a CSV quote never closed, a
file that is not Parquet) raises a `FileFormatError` naming the line or the column.

Every column but `text` is kept (`keep`): the id, a timestamp, anything the analyst needs next
to the label. A JSON-lines file keeps the keys of its first row. Kept values from JSON lines and
CSV are strings in a Parquet output (`keep_value`); Parquet columns keep their types.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rabat.assessment.context import Context
from rabat.store.records import (
    BYTES_PER_CHAR,
    CSV_SUFFIXES,
    JSONL_SUFFIXES,
    LINE_OVERHEAD,
    FileFormatError,
    Rejected,
    read_rows,
)
from rabat.text.cleaning import MAX_TEXT_CHARS

PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_COLUMN = "text"
CONTEXT_COLUMN = "context"
BATCH_ROWS = 4096
UNLIMITED = 1 << 62

__all__ = ["Bad", "FileFormatError", "Item", "Limits", "Source", "input_format", "keep_value"]


@dataclass(frozen=True)
class Limits:
    """What a row must meet to be scored, and which columns name it."""

    max_chars: int = MAX_TEXT_CHARS
    id_column: str = "id"
    keep: tuple[str, ...] | None = None  # None: every column but the text

    def __post_init__(self) -> None:
        if self.max_chars < 1:
            raise ValueError(f"max_chars must be a positive number, got {self.max_chars}")


@dataclass(frozen=True)
class Item:
    """One row to score: where it is (line, or row number in a Parquet file), its id, its text,
    its Rabat context if it has one, and the columns kept beside the result."""

    line: int
    id: str
    text: str
    context: Context | None = None
    keep: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Bad:
    """One row left out: where it is, its id if it has one, and why."""

    line: int
    id: str | None
    reason: str

    def json_line(self) -> str:
        return reject_line(self.line, self.id, self.reason)


def reject_line(line: int | None, row_id: str | None, reason: str) -> str:
    """One line of a rejects file (`line` is None where rows were read in parallel, by Ray)."""
    return json.dumps({"line": line, "id": row_id, "reason": reason}, ensure_ascii=False) + "\n"


def input_format(path: Path) -> str:
    """ "jsonl", "csv" or "parquet" by the file's suffix; a FileFormatError for anything else."""
    suffix = path.suffix.lower()
    for fmt, suffixes in (
        ("jsonl", JSONL_SUFFIXES),
        ("csv", CSV_SUFFIXES),
        ("parquet", PARQUET_SUFFIXES),
    ):
        if suffix in suffixes:
            return fmt
    raise FileFormatError(
        f"{path}: unsupported input type {suffix or '(no suffix)'!r}: expected JSON lines "
        f"({', '.join(JSONL_SUFFIXES)}), CSV (.csv) or Parquet (.parquet). Rename or convert it."
    )


def keep_value(value: Any) -> str | None:
    """A kept JSON-lines or CSV value as a string column: strings as they are, numbers and
    objects as JSON, null as null."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


@dataclass
class Source:
    """An input file, its format, the columns kept and (Parquet) their Arrow types."""

    path: Path
    fmt: str
    limits: Limits
    keep: tuple[str, ...]
    arrow_fields: dict[str, Any] | None = None  # Parquet: column -> pyarrow type
    total: int | None = None  # rows, when known cheaply (Parquet metadata)

    @classmethod
    def open(cls, path: Path, limits: Limits) -> Source:
        """Check the file and its columns before any row is scored."""
        if not path.is_file():
            raise FileFormatError(f"{path}: no such file: check the path")
        fmt = input_format(path)
        if fmt == "parquet":
            return _open_parquet(path, limits)
        columns = _first_columns(path, fmt)
        keep = _kept(path, columns, limits, strict=fmt == "csv")
        return cls(path, fmt, limits, keep, ids_from_lines=limits.id_column not in columns)

    ids_from_lines: bool = False  # the file has no id column: line (row) numbers stand in

    def rows(self) -> Iterator[Item | Bad]:
        """Every row in file order, each an `Item` or a `Bad`."""
        if self.fmt == "parquet":
            yield from self._parquet_rows()
            return
        # the text's length is checked in check_row (so its reject carries the id); the
        # line cap still keeps a runaway line from being read into memory
        cap = self.limits.max_chars * BYTES_PER_CHAR + LINE_OVERHEAD
        lines = read_rows(
            self.path,
            required=(),
            max_chars=UNLIMITED,
            fmt=self.fmt,
            max_line_bytes=cap,
            reject_invalid=True,
        )
        for row in lines:
            if isinstance(row, Rejected):
                yield Bad(row.line, None, row.reason)
            else:
                yield check_row(row.fields, row.line, self.limits, self.keep, as_text=True)

    def parquet_columns(self) -> list[str]:
        """The columns to read from a Parquet file: the text and the kept ones it has."""
        import pyarrow.parquet as pq

        in_file = set(pq.ParquetFile(self.path).schema_arrow.names)
        return [name for name in (TEXT_COLUMN, *self.keep) if name in in_file]

    def _parquet_rows(self) -> Iterator[Item | Bad]:
        import pyarrow.parquet as pq

        number = 0
        columns = self.parquet_columns()
        for batch in pq.ParquetFile(self.path).iter_batches(BATCH_ROWS, columns=columns):
            for fields in batch.to_pylist():
                number += 1
                yield check_row(fields, number, self.limits, self.keep, as_text=False)


def check_row(
    fields: dict[str, Any], line: int, limits: Limits, keep: Sequence[str], as_text: bool
) -> Item | Bad:
    """One row's fields as an `Item`, or a `Bad` saying what is wrong with it."""
    raw_id = fields.get(limits.id_column)
    row_id = str(line) if raw_id is None or raw_id == "" else str(raw_id)
    text = fields.get(TEXT_COLUMN)
    if TEXT_COLUMN not in fields:
        return Bad(line, row_id, f"no {TEXT_COLUMN!r} field: found {_names(fields)}")
    if not isinstance(text, str):
        found = "null" if text is None else f"a {type(text).__name__}"
        return Bad(line, row_id, f"the text is {found}, not a string")
    if not text.strip():
        return Bad(line, row_id, "the text is empty")
    if len(text) > limits.max_chars:
        return Bad(
            line,
            row_id,
            f"a text of {len(text):,} characters, over the limit of {limits.max_chars:,}: "
            "split it, or raise --max-chars",
        )
    context = _context(fields.get(CONTEXT_COLUMN))
    if isinstance(context, str):
        return Bad(line, row_id, context)
    kept = {name: fields.get(name) for name in keep}
    if as_text:
        kept = {name: keep_value(value) for name, value in kept.items()}
    kept[limits.id_column] = row_id
    return Item(line, row_id, text, context, kept)


def _context(value: Any) -> Context | str | None:
    """The row's Rabat context, None when it has none, or what is wrong with it."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            return f"the context is not JSON ({err.msg}): write it as a JSON object"
    try:
        return Context.model_validate(value)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "context"
        return f"invalid context at {where}: {first['msg']} (see README, The API: context)"


def _names(fields: dict[str, Any]) -> str:
    return ", ".join(list(fields)[:8]) or "no fields"


def _first_columns(path: Path, fmt: str) -> list[str]:
    """The CSV header, or the keys of the first JSON object (the columns kept)."""
    for row in read_rows(path, required=(), fmt=fmt, reject_invalid=True):
        if not isinstance(row, Rejected):
            return list(row.fields)
    return []


def _kept(path: Path, columns: list[str], limits: Limits, strict: bool) -> tuple[str, ...]:
    """The kept columns: `limits.keep` (each checked where the file has a header), else all but
    the text. The text column must be there."""
    if strict and TEXT_COLUMN not in columns:
        raise FileFormatError(
            f"{path}: no column {TEXT_COLUMN!r}: found {', '.join(columns[:8]) or 'none'}. "
            f"Rename the column that holds the texts to {TEXT_COLUMN!r}."
        )
    if limits.keep is None:
        keep = [name for name in columns if name != TEXT_COLUMN]
    else:
        missing = [name for name in limits.keep if name not in columns]
        if strict and missing:
            raise FileFormatError(
                f"{path}: --keep names column(s) {', '.join(missing)} the file does not have; "
                f"it has {', '.join(columns[:12])}"
            )
        keep = [name for name in limits.keep if name != TEXT_COLUMN]
    if limits.id_column not in keep:  # with no id column, the line number is the id
        keep.insert(0, limits.id_column)
    return tuple(keep)


def _open_parquet(path: Path, limits: Limits) -> Source:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise FileFormatError(
            f"{path}: not a readable Parquet file ({str(err).splitlines()[0][:160]}): "
            "check the path, or convert the file"
        ) from None
    schema = handle.schema_arrow
    text_type = schema.field(TEXT_COLUMN).type if TEXT_COLUMN in schema.names else None
    if text_type is not None and not (
        pa.types.is_string(text_type) or pa.types.is_large_string(text_type)
    ):
        raise FileFormatError(
            f"{path}: column {TEXT_COLUMN!r} is of type {text_type}, expected strings"
        )
    keep = _kept(path, list(schema.names), limits, strict=True)
    fields = {name: schema.field(name).type for name in keep if name in schema.names}
    fields[limits.id_column] = pa.string()  # ids are compared as strings, whatever their type
    return Source(
        path,
        "parquet",
        limits,
        keep,
        fields,
        handle.metadata.num_rows,
        ids_from_lines=limits.id_column not in schema.names,
    )
