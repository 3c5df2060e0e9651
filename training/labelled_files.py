"""Read labelled evaluation or training files (JSON lines or CSV) into `LabelledRow`s.

JSON lines: one object per line, `{"text": ..., "label": ...}`, optional `"source"`; other keys
are ignored. CSV: a header with `text` and `label` columns, optional `source`; other columns are
ignored. A row without a source takes the file's stem (`test.jsonl` -> `test`).
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rabat.labels import parse_label

logger = logging.getLogger(__name__)

JSONL_SUFFIXES = (".jsonl", ".json")
CSV_SUFFIXES = (".csv",)
REQUIRED_FIELDS = ("text", "label")


@dataclass(frozen=True)
class LabelledRow:
    """One labelled text; `label` is one of `rabat.labels.LABELS`."""

    text: str
    label: str
    source: str


def read_labelled(path: str | Path) -> list[LabelledRow]:
    """Read a `.jsonl`/`.json` (JSON lines) or `.csv` labelled file; ValueError says what to fix."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labelled file {path} does not exist: check the path.")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        rows = _read_jsonl(path)
    elif suffix in CSV_SUFFIXES:
        rows = _read_csv(path)
    else:
        raise ValueError(
            f"{path}: unsupported file type {suffix!r}: expected one of "
            f"{', '.join(JSONL_SUFFIXES + CSV_SUFFIXES)}. Rename the file or convert it to "
            'JSON lines ({"text": ..., "label": ...} per line) or CSV (columns text,label).'
        )
    if not rows:
        raise ValueError(
            f"{path}: no labelled rows found: expected at least one; the file is empty."
        )
    logger.info("read %d labelled rows from %s", len(rows), path)
    return rows


def _read_jsonl(path: Path) -> list[LabelledRow]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}, line {number}"
            record = _parse_json_line(line, where)
            rows.append(_to_row(record, where, default_source=path.stem))
    return rows


def _parse_json_line(line: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        hint = (
            " The file looks like one JSON array: write one object per line (JSON lines) instead."
            if line.lstrip().startswith("[")
            else " Fix the line so it is one complete JSON object."
        )
        raise ValueError(
            f"{where}: invalid JSON ({err.msg}): expected one JSON object per line.{hint}"
        ) from None
    if not isinstance(record, dict):
        raise ValueError(
            f"{where}: expected a JSON object with keys text and label, "
            f"found a {type(record).__name__}. Write one object per line."
        )
    missing = [key for key in REQUIRED_FIELDS if key not in record]
    if missing:
        raise ValueError(
            f"{where}: missing key(s) {', '.join(missing)}: expected keys "
            f"{', '.join(REQUIRED_FIELDS)} (source optional), found {', '.join(record) or 'none'}. "
            "Add the missing key(s) to this line."
        )
    return record


def _read_csv(path: Path) -> list[LabelledRow]:
    rows = []
    # utf-8-sig: spreadsheet exports often start with a byte-order mark.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        missing = [column for column in REQUIRED_FIELDS if column not in columns]
        if missing:
            raise ValueError(
                f"{path}, line 1 (header): missing column(s) {', '.join(missing)}: expected "
                f"columns {', '.join(REQUIRED_FIELDS)} (source optional), found "
                f"{', '.join(columns) or 'no header'}. Add or rename the header columns."
            )
        for record in reader:
            where = f"{path}, line {reader.line_num}"
            rows.append(_to_row(record, where, default_source=path.stem))
    return rows


def _to_row(record: dict[str, Any], where: str, default_source: str) -> LabelledRow:
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        found = "an empty text" if isinstance(text, str) or text is None else repr(text)
        raise ValueError(
            f"{where}: expected a non-empty text string, found {found}. "
            "Fill in the text or remove the row."
        )
    label = record.get("label")
    if not isinstance(label, str):
        raise ValueError(
            f"{where}: expected the label as a string, found {label!r}. "
            'Write the label name, e.g. "none".'
        )
    try:
        parsed = parse_label(label.strip())
    except ValueError as err:
        raise ValueError(f"{where}: {err}. Fix the label or map it before evaluating.") from None
    source = record.get("source")
    if source is None or (isinstance(source, str) and not source.strip()):
        source = default_source
    return LabelledRow(text=text, label=parsed.value, source=str(source))
