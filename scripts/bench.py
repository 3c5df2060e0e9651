"""`make bench`: the in-process Hugging Face pipeline against the running service, one run.

    .venv/bin/python scripts/bench.py --model models/rabat-minilm/latest --texts 512

Measures, on the same model and the same texts (test-split texts of at most 280 characters):
1. `pipeline("text-classification")` in this process, one text per call (its default use), and
   with batch_size=32 for reference;
2. the service (`python -m service`, real uvicorn, real HTTP on loopback, RABAT_BACKEND
   onnx-int8 unless --backend says otherwise) with 1, 8 and 32 concurrent clients calling
   POST /classify, with evidence spans (the default) and with `"explain": false`;
and prints texts/s, p50/p95/p99 latency, the ratio service / pipeline, evidence on / off, time to
ready and memory.
Both share this machine's cores: the client's own work is part of the service's numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from serving import running_service

from rabat.defaults import DEFAULT_MODEL_DIR

CONTEXT = {
    "speaker": {"role": "public_figure", "influence": "medium"},
    "reach": {"audience_size": 20000, "public": True, "medium": "social_media_post"},
    "setting": {"election_period": True},
}


def load_texts(model_dir: Path, n: int, max_chars: int, seed: int = 7) -> list[str]:
    rows = [json.loads(line) for line in (model_dir / "splits/test.jsonl").open(encoding="utf-8")]
    texts = [r["text"] for r in rows if len(r["text"]) <= max_chars]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def bench_pipeline(model_dir: Path, texts: list[str], threads: int) -> list[dict[str, Any]]:
    import torch
    from transformers import pipeline

    torch.set_num_threads(threads)
    pipe = pipeline("text-classification", model=str(model_dir), top_k=None)
    pipe(texts[:8])  # warm-up
    results = []
    for batch_size in (1, 32):
        latencies, started = [], time.perf_counter()
        if batch_size == 1:
            for text in texts:
                t0 = time.perf_counter()
                pipe(text)
                latencies.append(time.perf_counter() - t0)
        else:
            pipe(texts, batch_size=batch_size)
        elapsed = time.perf_counter() - started
        results.append(row(f"pipeline, batch_size={batch_size}", len(texts), elapsed, latencies))
    return results


async def bench_service(
    url: str, texts: list[str], clients: int, extra: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    queue = list(reversed(texts))
    latencies: list[float] = []
    errors = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while queue:
            body: dict[str, Any] = {"text": queue.pop(), **extra}
            t0 = time.perf_counter()
            response = await http.post(f"{url}/classify", json=body, headers=headers)
            latencies.append(time.perf_counter() - t0)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as http:
        for text in texts[:8]:  # warm-up
            await http.post(f"{url}/classify", json={"text": text}, headers=headers)
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    result = row(
        f"service, {clients} client{'s' if clients > 1 else ''}", len(texts), elapsed, latencies
    )
    result["errors"] = errors
    return result


def row(name: str, n: int, elapsed: float, latencies: list[float]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "system": name,
        "texts": n,
        "seconds": round(elapsed, 2),
        "texts_per_s": round(n / elapsed, 1),
    }
    if latencies:
        q = statistics.quantiles([x * 1000 for x in latencies], n=100, method="inclusive")
        out.update(p50_ms=round(q[49], 1), p95_ms=round(q[94], 1), p99_ms=round(q[98], 1))
    return out


def print_table(rows: list[dict[str, Any]], baseline: float) -> None:
    head = (
        f"{'system':28} {'texts/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'x pipeline':>10}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['system']:28} {r['texts_per_s']:8.1f} {r.get('p50_ms', float('nan')):8.1f} "
            f"{r.get('p95_ms', float('nan')):8.1f} {r.get('p99_ms', float('nan')):8.1f} "
            f"{r['texts_per_s'] / baseline:10.2f}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--max-chars", type=int, default=280)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the pipeline")
    parser.add_argument("--no-context", action="store_true", help="send text only")
    parser.add_argument(
        "--backend", default="onnx-int8", choices=("torch", "onnx", "onnx-int8"), help="service"
    )
    parser.add_argument(
        "--explain",
        default="on,off",
        help='"on,off" (default): both, the service restarted in between; "on" or "off": one',
    )
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="RABAT_X=V",
        help="extra service settings, e.g. RABAT_MODEL_BATCH_SIZE=16",
    )
    args = parser.parse_args()
    if not (args.model / "rabat_model.json").is_file():
        parser.error(f"--model {args.model}: no trained model there; run `make train` first")
    return args


def bench_modes(args: argparse.Namespace, texts: list[str]) -> dict[str, Any]:
    """The service at every client count, once per evidence mode (restarted in between): its
    rows by mode, the last service's start-up time and its memory idle and at the end."""
    env = {"RABAT_BACKEND": args.backend, **dict(item.split("=", 1) for item in args.env)}
    by_mode: dict[str, list[dict[str, Any]]] = {}
    for mode in args.explain.split(","):
        extra: dict[str, Any] = {} if args.no_context else {"context": CONTEXT}
        extra["explain"] = mode == "on"
        with running_service(args.model, **env) as service:
            memory_idle = service.memory_mb()
            for clients in (int(c) for c in args.clients.split(",")):
                found = asyncio.run(bench_service(service.url, texts, clients, extra, {}))
                found["system"] += f", evidence {mode}"
                by_mode.setdefault(mode, []).append(found)
            memory = service.memory_mb()
    return {
        "by_mode": by_mode,
        "ready_s": service.ready_seconds,
        "memory": memory,
        "memory_idle": memory_idle,
    }


def print_summary(rows: list[dict[str, Any]], measured: dict[str, Any], backend: str) -> None:
    print(f"service: RABAT_BACKEND={backend}")
    print_table(rows, rows[0]["texts_per_s"])
    last = rows[-1]
    print(
        f"\n{last['system']} / pipeline (batch_size=1): "
        f"{last['texts_per_s'] / rows[0]['texts_per_s']:.2f}x"
    )
    by_mode = measured["by_mode"]
    if {"on", "off"} <= set(by_mode):
        for on, off in zip(by_mode["on"], by_mode["off"], strict=True):
            print(
                f"{on['system']} / evidence off: {on['texts_per_s'] / off['texts_per_s']:.2f}x "
                "texts/s"
            )
    print(
        f"ready after {measured['ready_s']:.1f} s; resident memory "
        f"{measured['memory_idle']['rss_mb']} MB idle, {measured['memory']['peak_rss_mb']} MB "
        f"peak; errors: {sum(r.get('errors', 0) for r in rows)}"
    )


def main() -> int:
    args = parse_args()
    texts = load_texts(args.model, args.texts, args.max_chars)
    print(
        f"{len(texts)} test texts of at most {args.max_chars} characters, "
        f"model {args.model.resolve().name}"
    )
    rows = bench_pipeline(args.model, texts, args.threads)
    measured = bench_modes(args, texts)
    rows += [row for mode_rows in measured["by_mode"].values() for row in mode_rows]
    print_summary(rows, measured, args.backend)
    if args.out:
        kept = {key: measured[key] for key in ("ready_s", "memory", "memory_idle")}
        args.out.write_text(json.dumps({"rows": rows, **kept}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
