"""`make bench-score`: corpus-scale scoring against the HTTP service and the HF pipeline, one run.

    .venv/bin/python scripts/bench_scoring.py --model models/rabat-minilm/latest --rows 6000
    .venv/bin/python scripts/bench_scoring.py --memory 10000,1000000   # memory flat?

On one generated archive (texts of at most 280 characters repeated from the corpora, with ids,
timestamps over 30 days and a source column), evidence on everywhere it exists:
1. the local engine (`python -m scoring`, ONNX int8, one process per core);
2. the Ray engine with 1 and 2 workers on a local Ray cluster it starts;
3. the service (`python -m service`, ONNX int8, real HTTP) fed by 4 clients posting
   /classify/batch with 64 texts each;
4. `pipeline("text-classification")` in-process, batch_size 32 (labels only: no evidence, no
   Rabat assessment);
and prints texts/s and the ratio to the local engine. `--memory` scores archives of each size
with the local engine and prints the peak resident memory of the whole process tree (driver and
workers, sampled from /proc) against the first size.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rabat.defaults import DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = (  # (file under the data directory, text column, delimiter)
    ("davidson/labeled_data.csv", "tweet", ","),
    ("hatexplain/train.csv", "text", ","),
    ("implicit-hate/implicit_hate_v1_stg1_posts.tsv", "post", "\t"),
)


def corpus_texts(data_dir: Path, max_chars: int) -> list[str]:
    """Every text of at most `max_chars` characters from the corpora above."""
    csv.field_size_limit(1 << 24)
    texts = []
    for name, column, delimiter in CORPORA:
        with (data_dir / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=delimiter):
                text = (row.get(column) or "").strip()
                if text and len(text) <= max_chars:
                    texts.append(text)
    return texts


def make_archive(data_dir: Path, rows: int, path: Path, max_chars: int = 280) -> Path:
    """A Parquet archive of `rows` posts drawn (with repeats) from the corpora, written in
    batches so that a million rows cost little memory here."""
    if path.is_file() and pq.ParquetFile(path).metadata.num_rows == rows:
        return path
    texts = corpus_texts(data_dir, max_chars)
    rng = random.Random(11)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("id", pa.string()), ("text", pa.string()),
                        ("timestamp", pa.string()), ("source", pa.string())])  # fmt: skip
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, 50_000):
            n = min(50_000, rows - start)
            batch = {
                "id": [f"post-{i:08d}" for i in range(start, start + n)],
                "text": [rng.choice(texts) for _ in range(n)],
                "timestamp": [
                    f"2026-03-{1 + (i * 30) // rows:02d}T12:00:00Z" for i in range(start, start + n)
                ],
                "source": [f"channel-{i % 7}" for i in range(start, start + n)],
            }
            writer.write_table(pa.table(batch, schema=schema))
    return path


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def run_scoring(args: list[str]) -> dict[str, Any]:
    """`python -m scoring ARGS` in a subprocess: seconds and peak tree memory."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "scoring", *args], cwd=ROOT)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.2)
    if process.returncode != 0:
        raise RuntimeError(f"python -m scoring {' '.join(args)} exited {process.returncode}")
    return {"seconds": time.perf_counter() - started, "peak_mb": peak}


def bench_engine(model: Path, archive: Path, out_dir: Path, engine: str, workers: int) -> float:
    out = out_dir / f"{engine}-{workers}.parquet"
    args = [str(archive), str(out), "--model", str(model), "--engine", engine,
            "--workers", str(workers), "--overwrite", "--restart", "--no-progress"]  # fmt: skip
    result = run_scoring(args)
    rows = pq.ParquetFile(archive).metadata.num_rows
    return rows / result["seconds"]


def bench_service(model: Path, texts: list[str], clients: int = 4, batch: int = 64) -> float:
    import httpx
    from serving import running_service

    requests = [texts[i : i + batch] for i in range(0, len(texts), batch)]

    async def drive(url: str) -> float:
        queue = list(reversed(requests))

        async def client(http: httpx.AsyncClient) -> None:
            while queue:
                items = [{"text": t} for t in queue.pop()]
                response = await http.post(f"{url}/classify/batch", json={"items": items})
                response.raise_for_status()

        async with httpx.AsyncClient(timeout=300.0) as http:
            await http.post(f"{url}/classify/batch", json={"items": [{"text": texts[0]}]})
            started = time.perf_counter()
            await asyncio.gather(*(client(http) for _ in range(clients)))
            return len(texts) / (time.perf_counter() - started)

    with running_service(model, RABAT_BACKEND="onnx-int8", RABAT_MAX_BATCH_ITEMS=str(batch)) as s:
        return asyncio.run(drive(s.url))


def bench_pipeline(model: Path, texts: list[str]) -> float:
    import torch
    from transformers import pipeline

    torch.set_num_threads(2)
    pipe = pipeline("text-classification", model=str(model), top_k=None)
    pipe(texts[:8])
    started = time.perf_counter()
    pipe(texts, batch_size=32)
    return len(texts) / (time.perf_counter() - started)


def throughput(args: argparse.Namespace) -> dict[str, float]:
    archive = make_archive(args.data_dir, args.rows, args.work / f"archive-{args.rows}.parquet")
    texts = pq.read_table(archive, columns=["text"]).column("text").to_pylist()
    print(f"{args.rows:,} texts of at most 280 characters from the corpora, evidence on")
    results: dict[str, float] = {}
    for name in args.engines.split(","):
        if name == "local":
            results["local engine, 2 processes"] = bench_engine(
                args.model, archive, args.work, "local", 2
            )
        elif name.startswith("ray"):
            workers = int(name[3:] or 2)
            label = f"ray engine, {workers} worker{'s' if workers > 1 else ''}"
            results[label] = bench_engine(args.model, archive, args.work, "ray", workers)
        elif name == "http":
            results["service over HTTP (batch 64 x 4)"] = bench_service(args.model, texts)
        elif name == "pipeline":
            results["HF pipeline, batch 32 (label only)"] = bench_pipeline(args.model, texts)
        print(f"  {list(results)[-1]:38} {list(results.values())[-1]:8.1f} texts/s", flush=True)
    base = next(iter(results.values()))
    print(f"\n{'system':38} {'texts/s':>8} {'x first':>8}")
    for name, rate in results.items():
        print(f"{name:38} {rate:8.1f} {rate / base:8.2f}")
    return results


def memory(args: argparse.Namespace) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    for rows in (int(n) for n in args.memory.split(",")):
        archive = make_archive(args.data_dir, rows, args.work / f"archive-{rows}.parquet")
        out = args.work / f"memory-{rows}.parquet"
        run = run_scoring([str(archive), str(out), "--model", str(args.model), "--workers", "2",
                           "--overwrite", "--no-progress"])  # fmt: skip
        run["texts_per_s"] = rows / run["seconds"]
        results[rows] = run
        first = next(iter(results.values()))["peak_mb"]
        ratio = run["peak_mb"] / first
        print(
            f"{rows:>10,} rows: {run['seconds']:8.1f} s, {run['texts_per_s']:6.1f} texts/s, "
            f"peak {run['peak_mb']:7.1f} MB ({ratio:.3f}x)",
            flush=True,
        )
        out.unlink(missing_ok=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "bench-scoring")
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--engines", default="local,ray1,ray2,http,pipeline")
    parser.add_argument("--memory", help="row counts for the memory run, e.g. 10000,1000000")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    if not (args.model / "rabat_model.json").is_file():
        parser.error(f"--model {args.model}: no trained model there; run `make train` first")
    report: dict[str, Any] = {"model": str(args.model.resolve())}
    if args.memory:
        report["memory"] = memory(args)
    else:
        report["throughput"] = throughput(args)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
