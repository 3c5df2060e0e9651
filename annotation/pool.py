"""A pool of unlabelled texts to review: a CSV with a `text` column, or JSONL with a `text` field.

The pool is read as a stream (`rabat.store.records`), twice: `check_pool` reads it all first, so a
file that cannot be read fails before anything is imported, and reports every row it leaves
out (over the per-text limit) with its line; `read_pool` then yields the texts to push.
Memory stays flat whatever the file's size: only an 8-byte digest per text is kept, to skip
repeats.

Other columns travel with the task as they are (an `id` column is the pool's own identifier).
Blank texts are skipped and counted; a pool without a single text is an error, whatever its
format.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotation.gold import GOLD, check_gold
from rabat.store.records import FileFormatError, Rejected, read_rows
from rabat.text.cleaning import MAX_TEXT_CHARS, clean, dedup_key

logger = logging.getLogger(__name__)

TEXT = "text"
RESERVED = {"rabat_key", "priority", "pool_file"}


@dataclass(frozen=True)
class PoolItem:
    text: str
    key: str
    extra: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class PoolFile:
    """Where the pool is and how to read it."""

    path: Path
    encoding: str = "utf-8"
    max_chars: int = MAX_TEXT_CHARS


@dataclass
class PoolStats:
    """What a pass over the pool found."""

    rows: int = 0
    texts: int = 0
    blank: int = 0
    repeated: int = 0
    rejected: int = 0


def check_pool(pool: PoolFile) -> PoolStats:
    """Read the whole pool once: a FileFormatError if it cannot be read or holds no text; each
    rejected row is logged with its line."""
    stats = PoolStats()
    for _ in read_pool(pool, stats, report=True):
        pass
    if stats.texts == 0:
        raise FileFormatError(
            f"{pool.path}: no texts to review: {stats.rows} row(s), {stats.blank} blank and "
            f"{stats.rejected} over the limit. Give a CSV with a `text` column or JSONL "
            "objects with a `text` field, one text per row"
        )
    return stats


def read_pool(
    pool: PoolFile, stats: PoolStats | None = None, report: bool = False
) -> Iterator[PoolItem]:
    """The pool's texts, cleaned, first occurrence only (by `rabat.text.cleaning.dedup_key`)."""
    stats = stats if stats is not None else PoolStats()
    seen: set[int] = set()
    rows = read_rows(pool.path, (TEXT,), TEXT, pool.max_chars, pool.encoding)
    for row in rows:
        stats.rows += 1
        if isinstance(row, Rejected):
            stats.rejected += 1
            if report:
                logger.warning("%s, line %d: skipped: %s", pool.path, row.line, row.reason)
            continue
        fields = dict(row.fields)
        text = clean(str(fields.pop(TEXT, "") or ""))
        if not text:
            stats.blank += 1
            continue
        key = dedup_key(text) or text  # punctuation alone folds to "": keep it as it is
        digest = _digest(key)
        if digest in seen:
            stats.repeated += 1
            continue
        seen.add(digest)
        stats.texts += 1
        extra = {k: v for k, v in fields.items() if k not in RESERVED and v not in (None, "")}
        if GOLD in extra:  # a gold task: its label must be one of ours (annotation/gold.py)
            extra[GOLD] = check_gold(extra[GOLD], f"{pool.path}, line {row.line}")
        yield PoolItem(text, key, extra, row.line)


def _digest(key: str) -> int:
    raw = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(raw, "little")
