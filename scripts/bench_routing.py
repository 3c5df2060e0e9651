"""Routing by language, measured: memory and throughput of the English model alone, the
multilingual one alone, and one service routing between them (RABAT_ROUTE_MODEL_DIR), on the
same texts in one run.

    .venv/bin/python scripts/bench_routing.py --english models/rabat-minilm/latest \
        --multilingual models/rabat-multilingual/latest

The texts are the multilingual model's test split (every language it was trained on), so the
routed service sends part of them to each model; the script prints how many went where.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import httpx
from bench import bench_service, load_texts
from serving import running_service


def routed_share(url: str, texts: list[str]) -> Counter[str]:
    """How many texts each model analysed (batch responses name the model per text)."""
    counts: Counter[str] = Counter()
    with httpx.Client(base_url=url, timeout=120) as http:
        for start in range(0, len(texts), 32):
            items = [{"text": t, "explain": False} for t in texts[start : start + 32]]
            body = http.post("/classify/batch", json={"items": items}).json()
            counts.update(r.get("model_version", body["model_version"]) for r in body["results"])
    return counts


def measure(name: str, model: Path, texts: list[str], clients: int, env: dict[str, str]) -> dict:
    with running_service(model, 120.0, **env) as service:
        idle = service.memory_mb()
        found = asyncio.run(bench_service(service.url, texts, clients, {"explain": True}, {}))
        share = routed_share(service.url, texts) if "RABAT_ROUTE_MODEL_DIR" in env else None
        memory = service.memory_mb()
    return {
        "system": name,
        "ready_s": round(service.ready_seconds, 1),
        "idle_mb": idle["rss_mb"],
        "peak_mb": memory["peak_rss_mb"],
        "texts_per_s": found["texts_per_s"],
        "p95_ms": found.get("p95_ms"),
        "errors": found.get("errors", 0),
        "routed": dict(share) if share else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--english", type=Path, default=Path("models/rabat-minilm/latest"))
    parser.add_argument(
        "--multilingual", type=Path, default=Path("models/rabat-multilingual/latest")
    )
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--max-chars", type=int, default=280)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backend", default="onnx-int8", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    for flag, model in (("--english", args.english), ("--multilingual", args.multilingual)):
        if not (model / "rabat_model.json").is_file():
            parser.error(f"{flag} {model}: no trained model there")
    texts = load_texts(args.multilingual, args.texts, args.max_chars)
    print(f"{len(texts)} test texts of the multilingual model, {args.clients} clients")
    backend = {"RABAT_BACKEND": args.backend}
    rows = [
        measure("English alone", args.english, texts, args.clients, backend),
        measure("multilingual alone", args.multilingual, texts, args.clients, backend),
        measure(
            "routed (en -> English)",
            args.english,
            texts,
            args.clients,
            {**backend, "RABAT_ROUTE_MODEL_DIR": str(args.multilingual.resolve())},
        ),
    ]
    print(f"service: RABAT_BACKEND={args.backend}")
    head = (
        f"{'system':24} {'ready s':>8} {'idle MB':>8} {'peak MB':>8} {'texts/s':>8} {'p95 ms':>8}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        print(
            f"{r['system']:24} {r['ready_s']:8.1f} {r['idle_mb']:8.0f} {r['peak_mb']:8.0f} "
            f"{r['texts_per_s']:8.1f} {r['p95_ms'] or float('nan'):8.0f}"
        )
    english, multilingual, routed = rows
    print(
        f"\nrouted / multilingual alone: {routed['peak_mb'] / multilingual['peak_mb']:.2f}x peak "
        f"memory, {routed['texts_per_s'] / multilingual['texts_per_s']:.2f}x texts/s; "
        f"routed / English alone: {routed['peak_mb'] / english['peak_mb']:.2f}x peak memory"
    )
    print(f"texts per model in the routed service: {routed['routed']}")
    print(f"errors: {sum(r['errors'] for r in rows)}")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
