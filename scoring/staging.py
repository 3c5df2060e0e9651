"""Where a run keeps its finished parts until the whole output is written, so that an
interrupted run continues where it stopped, with no duplicates and no gaps.

    OUT.partial/
      job.json                what the run is (input, its size, model version, output format)
      progress.json           rows consumed so far, the last one's line and id: the commit point
      part-00000001.parquet   scored rows, in input order, one file per chunk
      rejects-00000001.jsonl  that chunk's bad rows

A part is written under a temporary name by a worker, renamed by the driver in chunk order, and
counts only once `progress.json` says so. On resume, anything past the commit point is deleted
and the input is read again from the row after `consumed`; that row's predecessor must have the
recorded line and id, or the input changed and the run stops. `finish` joins the parts into the
output and the rejects file, each renamed into place whole, and removes the folder.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rabat.store.files import staged, write_text
from scoring.inputs import Bad

JOB_FILE = "job.json"
PROGRESS_FILE = "progress.json"
PART_SUFFIX = {"parquet": ".parquet", "jsonl": ".jsonl"}


class ResumeError(RuntimeError):
    """An unfinished run's folder does not fit this command; the message says what to do."""


@dataclass
class Progress:
    """How far the committed parts reach."""

    parts: int = 0
    consumed: int = 0  # input rows (scored and rejected) the parts account for
    scored: int = 0
    rejected: int = 0
    last_line: int | None = None
    last_id: str | None = None


class Staging:
    """The `OUT.partial` folder of one output file."""

    def __init__(self, out: Path, fmt: str) -> None:
        self.out, self.fmt = out, fmt
        self.dir = out.with_name(out.name + ".partial")

    def start(self, job: dict[str, Any], restart: bool = False) -> Progress:
        """A fresh folder, or the committed progress of an interrupted run of the same job."""
        if self.dir.is_dir() and restart:
            shutil.rmtree(self.dir)
        if not self.dir.is_dir():
            self.dir.mkdir(parents=True)
            write_text(self.dir / JOB_FILE, json.dumps(job, indent=1, sort_keys=True))
            self.save(Progress())
            return Progress()
        before = json.loads((self.dir / JOB_FILE).read_text(encoding="utf-8"))
        changed = sorted(
            key for key in job.keys() | before.keys() if job.get(key) != before.get(key)
        )
        if changed:
            raise ResumeError(
                f"{self.dir} holds an unfinished run with other settings ({', '.join(changed)} "
                f"differ): run the same command as before to finish it, or add --restart to "
                "discard it and start again"
            )
        progress = Progress(**json.loads((self.dir / PROGRESS_FILE).read_text(encoding="utf-8")))
        self._drop_after(progress.parts)
        return progress

    def tmp_part(self, index: int) -> Path:
        """Where a worker writes chunk `index` before the driver commits it."""
        return self.dir / f".part-{index:08d}.tmp{PART_SUFFIX[self.fmt]}"

    def commit(self, index: int, scored: bool, bad: list[Bad], progress: Progress) -> None:
        """Make chunk `index` part of the output: its rows, its rejects, then the progress."""
        if scored:
            self.tmp_part(index).replace(self._part(index))
        if bad:
            lines = "".join(b.json_line() for b in bad)
            write_text(self.dir / f"rejects-{index:08d}.jsonl", lines)
        progress.parts = index
        self.save(progress)

    def save(self, progress: Progress) -> None:
        write_text(self.dir / PROGRESS_FILE, json.dumps(asdict(progress)))

    def finish(self, schema: pa.Schema, rejects: Path) -> None:
        """Join the parts into the output file and the rejects into theirs; remove the folder."""
        parts = sorted(self.dir.glob(f"part-*{PART_SUFFIX[self.fmt]}"))
        with staged(self.out) as tmp:
            if self.fmt == "parquet":
                with pq.ParquetWriter(tmp, schema) as writer:
                    for part in parts:
                        writer.write_table(pq.read_table(part, schema=schema))
            else:
                _concatenate(parts, tmp)
        with staged(rejects) as tmp:
            _concatenate(sorted(self.dir.glob("rejects-*.jsonl")), tmp)
        shutil.rmtree(self.dir)

    def _part(self, index: int) -> Path:
        return self.dir / f"part-{index:08d}{PART_SUFFIX[self.fmt]}"

    def _drop_after(self, parts: int) -> None:
        """Remove what an interrupted run wrote past its last commit."""
        for path in self.dir.iterdir():
            unfinished = path.name.startswith(".part-")  # a worker's, never committed
            committed = path.name.startswith(("part-", "rejects-"))
            if unfinished or (committed and _index(path) > parts):
                path.unlink()


def _index(path: Path) -> int:
    """part-00000012.parquet -> 12"""
    return int(path.name.split("-")[1].split(".")[0])


def _concatenate(paths: list[Path], target: Path) -> None:
    with target.open("wb") as out:
        for path in paths:
            with path.open("rb") as part:
                shutil.copyfileobj(part, out)
