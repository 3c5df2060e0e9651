"""The local engine: one process per core scores chunks; the driver reads, checks and commits.

The driver reads the input as a stream, sends chunks of rows to a pool of worker processes
(`scoring.worker`) and commits their parts in input order (`scoring.staging`). At most two chunks
per worker are in flight, so memory stays flat however large the input. Bad rows never reach a
worker: they go to the chunk's rejects.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from scoring.inputs import Bad, Item, Source
from scoring.job import Job
from scoring.results import output_schema
from scoring.staging import Progress, ResumeError, Staging
from scoring.worker import score_part

logger = logging.getLogger(__name__)
IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class RunResult:
    """What a finished run wrote and how fast (this run only, when it resumed)."""

    output: Path
    rejects: Path
    scored: int
    rejected: int
    resumed_from: int
    seconds: float

    @property
    def texts_per_second(self) -> float:
        done = self.scored + self.rejected - self.resumed_from
        return done / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Chunk:
    index: int
    rows: list[Item | Bad]
    future: Future[tuple[int, int, list[Bad]]] | None


def run_local(job: Job) -> RunResult:
    """Score `job.input` into `job.output`; continues an interrupted run of the same job."""
    started = time.perf_counter()
    source = Source.open(job.input, job.limits)
    schema = output_schema(source.keep, source.arrow_fields)
    staging = Staging(job.output, job.output_format)
    job.check_output_free(staging.dir)
    progress = staging.start(job.key(source), restart=job.restart)
    resumed_from = progress.consumed
    if resumed_from:
        logger.info("continuing an interrupted run after %d rows", resumed_from)
    rows = _skip(source.rows(), progress, source.path)
    bar = tqdm(
        total=source.total or _count_lines(source),
        initial=progress.consumed,
        unit="texts",
        disable=not job.progress,
        smoothing=0.1,
    )
    context = get_context("spawn")  # fresh interpreters: no threads or ONNX state forked
    with bar, ProcessPoolExecutor(job.workers, mp_context=context) as pool:
        pending: deque[_Chunk] = deque()
        index = progress.parts
        while chunk := list(islice(rows, job.chunk_rows)):
            index += 1
            items = [row for row in chunk if isinstance(row, Item)]
            future = None
            if items:
                args = (index, items, staging.tmp_part(index), job.output_format, schema)
                future = pool.submit(score_part, job.worker_settings(), *args)
            pending.append(_Chunk(index, chunk, future))
            while len(pending) > IN_FLIGHT_PER_WORKER * job.workers:
                _commit(pending.popleft(), staging, progress, bar)
        while pending:
            _commit(pending.popleft(), staging, progress, bar)
    staging.finish(schema, job.rejects_path)
    seconds = time.perf_counter() - started
    return RunResult(
        job.output, job.rejects_path, progress.scored, progress.rejected, resumed_from, seconds
    )


def _commit(chunk: _Chunk, staging: Staging, progress: Progress, bar: tqdm) -> None:
    """Wait for the chunk's part, then make it and its rejects part of the output."""
    bad = [row for row in chunk.rows if isinstance(row, Bad)]
    scored = 0
    if chunk.future is not None:
        _, scored, failed = chunk.future.result()
        bad = sorted(bad + failed, key=lambda b: b.line)
    last = chunk.rows[-1]
    progress.consumed += len(chunk.rows)
    progress.scored += scored
    progress.rejected += len(bad)
    progress.last_line, progress.last_id = last.line, last.id
    staging.commit(chunk.index, chunk.future is not None, bad, progress)
    bar.update(len(chunk.rows))


def _skip(rows: Iterator[Item | Bad], progress: Progress, path: Path) -> Iterator[Item | Bad]:
    """The rows after the committed ones; the last committed row must still be where it was."""
    if progress.consumed:
        last = None
        for row in islice(rows, progress.consumed):
            last = row
        if last is None or (last.line, last.id) != (progress.last_line, progress.last_id):
            found = (
                "the input ends before it" if last is None else f"line {last.line}, id {last.id}"
            )
            raise ResumeError(
                f"{path} changed since the interrupted run: row {progress.consumed} was line "
                f"{progress.last_line}, id {progress.last_id}; now {found}. Add --restart to "
                "score it again from the start"
            )
    return rows


def _count_lines(source: Source) -> int:
    """Rows in a JSON-lines or CSV file, for the progress bar's ETA (a quoted CSV field that
    spans lines makes it an overestimate)."""
    lines = 0
    with source.path.open("rb") as handle:
        while block := handle.read(1 << 22):
            lines += block.count(b"\n")
    return max(lines - (1 if source.fmt == "csv" else 0), 0)
