"""Read labelled evaluation or training files (JSON lines or CSV) into `LabelledRow`s.

JSON lines: one object per line, `{"text": ..., "label": ...}`, optional `"source"`; other keys
are ignored. CSV: a header with `text` and `label` columns, optional `source`; other columns are
ignored. A row without a source takes the file's stem (`test.jsonl` -> `test`). Files are read
as streams with a per-text limit (`rabat.store.records`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rabat.labels import parse_label
from rabat.store.records import Rejected, file_format, read_rows
from rabat.text.cleaning import MAX_TEXT_CHARS

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("text", "label")


@dataclass(frozen=True)
class LabelledRow:
    """One labelled text; `label` is one of `rabat.labels.LABELS`."""

    text: str
    label: str
    source: str


def read_labelled(
    path: str | Path, max_chars: int = MAX_TEXT_CHARS, encoding: str = "utf-8"
) -> list[LabelledRow]:
    """Read a `.jsonl`/`.json` (JSON lines) or `.csv` labelled file as a stream
    (`rabat.store.records`); a text over `max_chars` is skipped with a warning naming its line, and
    a ValueError says what to fix in a file that cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labelled file {path} does not exist: check the path.")
    rows, rejected = [], 0
    for row in read_rows(path, REQUIRED_FIELDS, "text", max_chars, encoding, file_format(path)):
        if isinstance(row, Rejected):
            rejected += 1
            logger.warning("%s, line %d: skipped: %s", path, row.line, row.reason)
            continue
        rows.append(_to_row(row.fields, f"{path}, line {row.line}", default_source=path.stem))
    if not rows:
        raise ValueError(
            f"{path}: no labelled rows found: expected at least one; "
            + (f"all {rejected} are over the limit." if rejected else "the file is empty.")
        )
    logger.info("read %d labelled rows from %s (%d skipped)", len(rows), path, rejected)
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
