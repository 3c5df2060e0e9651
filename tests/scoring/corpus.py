"""Input files for the scoring tests, with texts read at run time from a real corpus."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def corpus_texts(data_dir: Path, count: int, max_chars: int = 280) -> list[str]:
    """The first `count` tweets of Davidson et al. of at most `max_chars` characters."""
    texts: list[str] = []
    with (data_dir / "davidson" / "labeled_data.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row["tweet"].strip()
            if text and len(text) <= max_chars:
                texts.append(text)
            if len(texts) == count:
                return texts
    raise AssertionError(f"the corpus has fewer than {count} short texts")


def rows_of(texts: list[str]) -> list[dict[str, Any]]:
    """One row per text with an id, a timestamp over ten days and a source column."""
    return [
        {
            "id": f"post-{i:05d}",
            "text": text,
            "timestamp": f"2026-03-{1 + i % 10:02d}T12:00:00Z",
            "source": "channel-a" if i % 2 else "channel-b",
        }
        for i, text in enumerate(texts)
    ]


def write_rows(rows: list[dict[str, Any]], path: Path) -> Path:
    """`rows` as JSON lines, CSV or Parquet, by the path's suffix."""
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    elif path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    """A scoring output (Parquet or JSON lines) as rows."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_rejects(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
