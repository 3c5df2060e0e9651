"""The Ray engine: the same job on Ray Data, for when one machine is not enough.

    read_parquet / read_text (JSON lines) / read_csv
      -> map_batches(RayScorer, an actor pool: each actor holds the ONNX int8 model)
      -> write_parquet(OUT.ray/)
    then the driver joins those files into OUT and the rejects file, as the local engine does.

Rows are read in parallel, so the input needs an id column: the rejects file names rows by id
(its `line` is null). A Ray run does not resume: an interrupted one starts again. Each actor
loads the model from `job.model_dir`, which must be readable at that path on every node
(docs/scoring.md: a shared volume, or the same path synced to each node).
"""

from __future__ import annotations

import csv
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rabat.store.files import staged
from rabat.store.records import parse_json_line
from scoring.inputs import Bad, Item, Limits, Source, check_row, reject_line
from scoring.job import Job, JobError, WorkerSettings
from scoring.local import RunResult
from scoring.results import output_schema
from scoring.worker import Scorer, write_jsonl

logger = logging.getLogger(__name__)
REJECT_COLUMN = "reject_reason"
READ_CPUS = 0.25  # reading and writing are light: leave the cores to the model actors


class RayScorer:
    """A Ray Data actor: loads the model once, scores batches into result rows; bad rows come
    back as rows with only an id and a `reject_reason`."""

    def __init__(
        self, settings: WorkerSettings, fmt: str, limits: Limits,
        keep: tuple[str, ...], schema: pa.Schema,
    ) -> None:  # fmt: skip
        self.scorer = Scorer.load(settings)
        self.fmt, self.limits, self.keep, self.schema = fmt, limits, keep, schema

    def __call__(self, batch: pa.Table) -> pa.Table:
        items: list[Item] = []
        bad: list[Bad] = []
        for row in self._rows(batch):
            if isinstance(row, Item):
                items.append(row)
            else:
                bad.append(row)
        records, failed = self.scorer.score(items) if items else ([], [])
        for reject in bad + failed:
            records.append({self.limits.id_column: reject.id, REJECT_COLUMN: reject.reason})
        return pa.Table.from_pylist(records, schema=self.schema)

    def _rows(self, batch: pa.Table) -> list[Item | Bad]:
        as_text = self.fmt != "parquet"
        rows: list[Item | Bad] = []
        for fields in batch.to_pylist():
            if self.fmt == "jsonl":  # read_text: one JSON line per row
                parsed = parse_json_line(fields["text"], 0, ())
                if isinstance(parsed, str):
                    rows.append(Bad(0, None, parsed))
                    continue
                fields = parsed
            rows.append(check_row(fields, 0, self.limits, self.keep, as_text))
        return rows


def run_ray(job: Job, address: str | None) -> RunResult:
    """Score `job.input` into `job.output` on a Ray cluster with `job.workers` model actors
    (`address`: None starts a local one on this machine's cores, "auto" joins the running one,
    "ray://host:port" a remote one)."""
    import ray

    started = time.perf_counter()
    source = Source.open(job.input, job.limits)
    if source.ids_from_lines:
        raise JobError(
            f"{job.input} has no {job.limits.id_column!r} column: the Ray engine reads rows in "
            "parallel and names them by id. Add an id column (--id-column NAME), or use "
            "--engine local"
        )
    job.check_output_free(job.output.with_name(job.output.name + ".partial"))
    schema = output_schema(source.keep, source.arrow_fields)
    ray_schema = schema.append(pa.field(REJECT_COLUMN, pa.string()))
    parts = job.output.with_name(job.output.name + ".ray")
    shutil.rmtree(parts, ignore_errors=True)
    if not ray.is_initialized():
        if address is None:  # this machine's cores: the actors and Ray Data's own tasks
            ray.init(include_dashboard=False)
        else:
            ray.init(address=address)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    # one block per chunk, so that every actor has work even when the input is one file
    blocks = _read(source).repartition(target_num_rows_per_block=job.chunk_rows)
    dataset = blocks.map_batches(
        RayScorer,
        fn_constructor_args=(
            job.worker_settings(),
            source.fmt,
            job.limits,
            source.keep,
            ray_schema,
        ),
        batch_size=job.chunk_rows,
        batch_format="pyarrow",
        concurrency=job.workers,
        num_cpus=_actor_cpus(job.workers),
        udf_modifying_row_count=source.fmt == "jsonl",
    )
    dataset.write_parquet(str(parts), ray_remote_args={"num_cpus": READ_CPUS})
    scored, rejected = _join(parts, job, schema)
    shutil.rmtree(parts)
    seconds = time.perf_counter() - started
    return RunResult(job.output, job.rejects_path, scored, rejected, 0, seconds)


def _actor_cpus(workers: int) -> float:
    """A core per actor (each runs one ONNX thread) where the cluster has one to spare beside
    them for Ray Data's own tasks (listing files, reading, writing); less on a small machine,
    or those tasks would wait for a free CPU forever."""
    import ray

    cpus = float(ray.cluster_resources().get("CPU", 1.0))
    return max(0.1, min(1.0, (cpus - 1.0) / workers))


def _read(source: Source) -> Any:
    import ray

    path = str(source.path.resolve())
    if source.fmt == "parquet":
        columns = source.parquet_columns()
        return ray.data.read_parquet(path, num_cpus=READ_CPUS).select_columns(columns)
    if source.fmt == "jsonl":
        return ray.data.read_text(path, drop_empty_lines=True, num_cpus=READ_CPUS)
    import pyarrow.csv as pacsv

    with source.path.open(encoding="utf-8", newline="") as handle:
        header = [name.strip() for name in next(csv.reader(handle))]
    return ray.data.read_csv(
        path,
        num_cpus=READ_CPUS,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )


def _join(parts: Path, job: Job, schema: pa.Schema) -> tuple[int, int]:
    """Ray's part files, in order, into the output file and the rejects file."""
    files = sorted(parts.glob("*.parquet"))
    scored = rejected = 0
    id_column = job.limits.id_column
    with staged(job.output) as out_tmp, staged(job.rejects_path) as rejects_tmp:
        writer = pq.ParquetWriter(out_tmp, schema) if job.output_format == "parquet" else None
        jsonl = None if writer else out_tmp.open("w", encoding="utf-8")
        with rejects_tmp.open("w", encoding="utf-8") as rejects:
            for path in files:
                table = pq.read_table(path)
                reasons = table.column(REJECT_COLUMN)
                bad = table.filter(reasons.is_valid())
                good = table.filter(reasons.is_null()).drop_columns([REJECT_COLUMN])
                for row in bad.select([id_column, REJECT_COLUMN]).to_pylist():
                    rejects.write(reject_line(None, row[id_column], row[REJECT_COLUMN]))
                rejected += bad.num_rows
                scored += good.num_rows
                if writer is not None:
                    writer.write_table(good.cast(schema))
                elif jsonl is not None:
                    write_jsonl(good.to_pylist(), jsonl)
        if writer is not None:
            writer.close()
        elif jsonl is not None:
            jsonl.close()
    return scored, rejected
