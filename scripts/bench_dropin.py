"""`make bench-dropin`: the drop-in endpoints against Rabat's own, same service, same texts.

    .venv/bin/python scripts/bench_dropin.py --model models/rabat-multilingual/latest

One service (`python -m service`, real uvicorn, real HTTP on loopback, RABAT_BACKEND
onnx-int8 unless --backend says otherwise), test-split texts of at most 280 characters:
1. lists of 32 texts: POST /v1/moderations {"input": [...]} against POST /classify/batch;
2. one text per request: POST /v1alpha1/comments:analyze (all five attributes) against
   POST /classify.
Each pair runs in alternating rounds (A B, B A, A B ...) with the same concurrent clients, so
that both see the same machine and neither always goes first; the median round counts. Prints
texts/s per endpoint and the ratio drop-in / own, and writes the figures to --out
(runs/bench-dropin.json, which `make measured` reads).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from bench import load_texts
from serving import running_service

from rabat.attributes.perspective import ATTRIBUTES
from rabat.defaults import DEFAULT_MODEL_DIR

Body = Callable[[list[str]], dict[str, Any]]
BATCH = 32
PAIRS: dict[str, tuple[tuple[str, Body], tuple[str, Body], int]] = {
    "lists of 32": (
        ("/v1/moderations", lambda texts: {"input": texts}),
        ("/classify/batch", lambda texts: {"items": [{"text": t} for t in texts]}),
        BATCH,
    ),
    "one text": (
        (
            "/v1alpha1/comments:analyze",
            lambda texts: {
                "comment": {"text": texts[0]},
                "requestedAttributes": {name: {} for name in ATTRIBUTES},
            },
        ),
        ("/classify", lambda texts: {"text": texts[0]}),
        1,
    ),
}


async def one_round(
    url: str, path: str, body: Body, texts: list[str], size: int, clients: int
) -> float:
    """Seconds to send every text once, `size` per request, over `clients` connections."""
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    failures = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal failures
        while chunks:
            response = await http.post(f"{url}{path}", json=body(chunks.pop()))
            failures += response.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=300.0, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{failures} requests to {path} failed")
    return elapsed


def bench_pair(url: str, name: str, texts: list[str], rounds: int, clients: int) -> dict[str, Any]:
    (dropin, dropin_body), (own, own_body), size = PAIRS[name]
    times: dict[str, list[float]] = {dropin: [], own: []}
    for path, body in [(dropin, dropin_body), (own, own_body)]:  # warm-up
        asyncio.run(one_round(url, path, body, texts[: size * 2], size, 1))
    order = [(dropin, dropin_body), (own, own_body)]
    for i in range(rounds):  # A B, then B A, ...: neither always runs first
        for path, body in order if i % 2 == 0 else order[::-1]:
            times[path].append(asyncio.run(one_round(url, path, body, texts, size, clients)))
    rate = {path: len(texts) / statistics.median(found) for path, found in times.items()}
    return {
        "pair": name,
        "texts": len(texts),
        "rounds": rounds,
        "clients": clients,
        "texts_per_s": {path: round(value, 1) for path, value in rate.items()},
        "ratio": round(rate[dropin] / rate[own], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--backend", default="onnx-int8")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    texts = load_texts(args.model, args.texts, 280)
    env = {"RABAT_BACKEND": args.backend}
    with running_service(args.model, **env) as service:
        results = [
            bench_pair(service.url, name, texts, args.rounds, args.clients) for name in PAIRS
        ]
    for r in results:
        (dropin, own) = list(r["texts_per_s"])
        print(
            f"{r['pair']:12s} {dropin} {r['texts_per_s'][dropin]} texts/s, {own} "
            f"{r['texts_per_s'][own]} texts/s: ratio {r['ratio']}"
        )
    if args.out:
        record = {
            "model": str(args.model.resolve().name),
            "backend": args.backend,
            "cpus": os.cpu_count(),
            "results": results,
        }
        args.out.write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
