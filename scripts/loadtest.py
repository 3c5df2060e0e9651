"""A bounded soak test of the real service: valid and invalid requests for a fixed time.

    .venv/bin/python scripts/loadtest.py --model models/rabat-minilm/latest --seconds 60

Clients on loopback send a mix of good requests (single and batch, with and without context)
and bad ones (empty text, oversized text, unknown context fields, invalid JSON, wrong types,
odd Unicode). Prints the count per status code and exits 1 if any answer was a 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from bench import CONTEXT, load_texts
from serving import running_service

from rabat.defaults import DEFAULT_MODEL_DIR

BAD_BODIES: list[Any] = [
    {"text": ""},
    {"text": "   \n\t "},
    {"text": 42},
    {"text": None},
    {"txt": "have a nice day"},
    {"text": "have a nice day", "context": {"speaker": {"role": "king"}}},
    {"text": "have a nice day", "context": {"reach": {"audience_size": -5}}},
    {"text": "have a nice day", "context": {"mood": "sunny"}},
    {"text": "x" * 20_000},
    {"items": []},
    {"items": [{"text": "ok"}] * 500},
    {"items": [{"text": ""}]},
    [],
    "a string",
]
ODD_TEXTS = [
    "שלום עולם 👋🏽",
    "zero\u200bwidth\u200djoiner",
    "e\u0301\u0301\u0301",
    "\u202eright to left",
    "🙂" * 300,
]


async def client(
    http: httpx.AsyncClient,
    url: str,
    texts: list[str],
    deadline: float,
    statuses: Counter[int],
    rng: random.Random,
) -> None:
    while time.perf_counter() < deadline:
        roll = rng.random()
        if roll < 0.55:
            body: Any = {"text": rng.choice(texts)}
            if rng.random() < 0.5:
                body["context"] = CONTEXT
            response = await http.post(f"{url}/classify", json=body)
        elif roll < 0.7:
            items = [{"text": t} for t in rng.sample(texts, 8)]
            response = await http.post(f"{url}/classify/batch", json={"items": items})
        elif roll < 0.8:
            response = await http.post(f"{url}/classify", json={"text": rng.choice(ODD_TEXTS)})
        elif roll < 0.95:
            response = await http.post(f"{url}/classify", json=rng.choice(BAD_BODIES))
        else:
            response = await http.post(
                f"{url}/classify",
                content=b'{"text": "unclosed',
                headers={"content-type": "application/json"},
            )
        statuses[response.status_code] += 1


async def soak(url: str, texts: list[str], seconds: float, clients: int) -> Counter[int]:
    statuses: Counter[int] = Counter()
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(timeout=60.0) as http:
        await asyncio.gather(
            *(
                client(http, url, texts, deadline, statuses, random.Random(i))
                for i in range(clients)
            )
        )
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    texts = load_texts(args.model, 1000, 280)
    # POST /retrain would start a real training run: no retraining config, so it answers 409.
    with running_service(args.model, RABAT_RETRAIN_CONFIG="/nonexistent.yaml") as service:
        statuses = asyncio.run(soak(service.url, texts, args.seconds, args.clients))
        alive = httpx.get(f"{service.url}/ready").status_code
    total = sum(statuses.values())
    print(
        f"{total} requests in {args.seconds:.0f} s with {args.clients} clients: "
        + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    )
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    print(f"5xx: {server_errors}; /ready after the soak: {alive}")
    return 1 if server_errors or alive != 200 else 0


if __name__ == "__main__":
    raise SystemExit(main())
