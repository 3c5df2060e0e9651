"""A pool of unlabelled texts to review: a CSV with a `text` column, or JSONL with a `text` field.

Other columns travel with the task as they are (an `id` column is the pool's own identifier).
Blank texts are skipped and counted; a file without texts is an error that says what was found.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rabat.text import clean, dedup_key

TEXT = "text"
RESERVED = {"rabat_key", "priority", "pool_file"}


@dataclass(frozen=True)
class PoolItem:
    text: str
    key: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Pool:
    items: list[PoolItem]
    blank: int = 0
    repeated: int = 0


def read_pool(path: Path) -> Pool:
    """Read and deduplicate (by `rabat.text.dedup_key`) the pool at `path`."""
    if not path.is_file():
        raise ValueError(f"no pool file at {path}: give a CSV or JSONL file of texts to review")
    rows = _read_jsonl(path) if path.suffix in (".jsonl", ".ndjson") else _read_csv(path)
    pool, seen = Pool([]), set()
    for row in rows:
        text = clean(str(row.pop(TEXT, "") or ""))
        if not text:
            pool.blank += 1
            continue
        key = dedup_key(text) or text  # punctuation alone folds to "": keep it as it is
        if key in seen:
            pool.repeated += 1
            continue
        seen.add(key)
        extra = {k: v for k, v in row.items() if k not in RESERVED and v not in (None, "")}
        pool.items.append(PoolItem(text, key, extra))
    return pool


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if TEXT not in (reader.fieldnames or []):
            raise ValueError(
                f"{path}: no `{TEXT}` column; found {reader.fieldnames}. The pool needs one text "
                "per row in a column named `text` (CSV with a header row), or JSONL objects "
                "with a `text` field (.jsonl)"
            )
        return list(reader)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not a JSON object ({err.msg})") from None
            if not isinstance(row, dict) or TEXT not in row:
                found = f"keys {list(row)[:5]}" if isinstance(row, dict) else type(row).__name__
                raise ValueError(
                    f"{path}:{number}: expected an object with a `{TEXT}` field, found {found}"
                )
            rows.append(row)
    return rows
