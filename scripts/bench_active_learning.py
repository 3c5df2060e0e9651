"""Does the review queue's order teach the model more per reviewed text than a random order?

    .venv/bin/python scripts/bench_active_learning.py --sizes 500,1000,2000 \\
        --strategies queue,random --out runs/active_learning.json
    .venv/bin/python scripts/bench_active_learning.py --quick     # a smoke check, ~2 minutes

A simulated reviewer on real rows: the pool is the training split as `make train` builds it
(configs/train.yaml: the same corpora, deduplication, split and caps, so the held-out texts and
splits stay out; no augmentation, a reviewer labels real texts), its corpus labels standing in
for the reviewer's. A seed model trained on `--seed-rows` random training rows scores the pool;
each strategy (training/active_learning.py) orders it; for every N in `--sizes` a fresh model
is trained on the seed rows plus the first N of that order and scored on a fixed dev sample
(`--dev-rows` from the dev split, every label at least `--dev-floor` rows, so the incitement
F1 is not decided by a dozen texts). `random` runs once per `--random-seeds` seed and is the
baseline. Every training is the same recipe: configs/smoke.yaml's training parameters (batch
16) at `--max-length` tokens, `--epochs` 2, `--learning-rate` 2e-4 and the bottom
`--freeze-layers` 4 of 6 frozen, with the loop of training/train.py (class weights, auxiliary and
evidence heads), started from the base encoder each time, without the prior correction (it is
tuned on dev, the set that scores here). The smoke recipe as it is (one epoch at 8e-5, two
layers frozen) learns next to nothing from 800-2,300 rows (measured: dev macro-F1 0.16-0.25,
the majority label), so no order could show; the changed three learn (0.50 at 1,300 random rows)
in about the same time (fewer layers to train). After each training the JSON file is rewritten
with the runs so far (`"partial": true`), so an interrupted benchmark still leaves its numbers.

Printed: per strategy and N, dev macro-F1 and incitement F1 with their difference from random,
the labels of the rows each order picked, and each training's samples/s and wall time. Target
(issue 12): at N = 1,000 the queue beats random by >= 0.02 macro-F1, or reaches random's score
at N = 2,000. The JSON file (--out) holds every run and the summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from active_learning_runs import clusters_of, dev_scores, fit, label_counts, print_table, score
from transformers import AutoTokenizer

from rabat.store.files import write_text
from training.active_learning import (
    BASELINE,
    order_pool,
    parse_strategies,
    stratified_sample,
    summarise,
    target,
)
from training.config import TrainParams, base_model_path, load_config
from training.dataset import build

ROOT = Path(__file__).resolve().parents[1]
QUICK = {
    "data": "configs/smoke.yaml",
    "sizes": "50,100",
    "seed_rows": 60,
    "pool": 300,
    "dev_rows": 80,
    "epochs": 1,
    "dev_floor": 5,
    "random_seeds": 1,
    "max_length": 32,
    "clusters": 5,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,1000,2000", help="reviewed texts, comma-separated")
    parser.add_argument("--strategies", default="queue,random", help="orders, comma-separated")
    parser.add_argument("--out", default="runs/active_learning.json", help="JSON results file")
    parser.add_argument("--data", default="configs/train.yaml", help="config whose splits are used")
    parser.add_argument("--recipe", default="configs/smoke.yaml", help="config whose `train` runs")
    parser.add_argument("--seed-rows", type=int, default=300, help="rows the seed model learns")
    parser.add_argument("--pool", type=int, default=6000, help="training rows in the pool")
    parser.add_argument("--dev-rows", type=int, default=1000, help="dev rows that score")
    parser.add_argument("--dev-floor", type=int, default=100, help="least dev rows per label")
    parser.add_argument("--random-seeds", type=int, default=2, help="random orders averaged")
    parser.add_argument(
        "--random-first", type=int, default=0, help="first random order's seed (more runs later)"
    )
    parser.add_argument("--max-length", type=int, default=64, help="tokens per text")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of every training")
    parser.add_argument("--learning-rate", type=float, default=2e-4, help="of every training")
    parser.add_argument("--freeze-layers", type=int, default=4, help="bottom layers frozen")
    parser.add_argument("--clusters", type=int, default=20, help="k-means clusters (diverse)")
    parser.add_argument("--seed", type=int, default=13, help="seed of every draw")
    parser.add_argument("--quick", action="store_true", help="a smoke check on a tiny pool")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    try:
        args.sizes = sorted({int(n) for n in str(args.sizes).split(",") if n.strip()})
        args.strategies = parse_strategies(args.strategies)
    except ValueError as err:
        parser.error(f"{err}; --sizes takes whole numbers, e.g. 500,1000,2000")
    if BASELINE not in args.strategies:
        args.strategies.append(BASELINE)  # every comparison is against it
    if not args.sizes or args.sizes[0] < 1:
        parser.error("--sizes must name positive row counts, e.g. 500,1000,2000")
    return args


def load_rows(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The seed rows, the pool and the dev sample, from the splits `make train` would build."""
    config = load_config(ROOT / args.data, augment={})
    splits = build(config).splits
    train, dev = splits["train"], splits["dev"]
    needed = args.seed_rows + args.pool
    if len(train) < needed or args.pool < max(args.sizes):
        raise SystemExit(
            f"the training split has {len(train)} rows; the seed ({args.seed_rows}) and pool "
            f"({args.pool}, at least the largest size {max(args.sizes)}) need {needed}: lower "
            "--pool, --seed-rows or --sizes"
        )
    drawn = train.sample(n=needed, random_state=args.seed).reset_index(drop=True)
    dev = dev.iloc[stratified_sample(dev["label"], args.dev_rows, args.dev_floor, args.seed)]
    return (
        drawn.iloc[: args.seed_rows].reset_index(drop=True),
        drawn.iloc[args.seed_rows :].reset_index(drop=True),
        dev.reset_index(drop=True),
    )


SETTINGS = (
    "sizes", "strategies", "data", "recipe", "seed_rows", "pool", "dev_rows", "dev_floor",
    "random_seeds", "random_first", "max_length", "epochs", "learning_rate", "freeze_layers",
    "clusters", "seed", "quick",
)  # fmt: skip


@dataclass(frozen=True)
class Setup:
    """What every training of a benchmark shares: the recipe, the base, the rows."""

    params: TrainParams
    base: str
    tokenizer: Any
    seed_rows: pd.DataFrame
    pool: pd.DataFrame
    dev: pd.DataFrame


def prepare(args: argparse.Namespace) -> Setup:
    """The recipe with the benchmark's changes, the base encoder and the rows."""
    began = time.perf_counter()
    recipe = load_config(ROOT / args.recipe)
    changes = ("max_length", "epochs", "learning_rate", "freeze_layers")
    params = recipe.train.model_copy(update={key: getattr(args, key) for key in changes})
    seed_rows, pool, dev = load_rows(args)
    base = base_model_path(recipe.base_model)
    say(
        f"seed {len(seed_rows)} rows {label_counts(seed_rows)}, pool {len(pool)} rows "
        f"{label_counts(pool)}, dev {len(dev)} rows {label_counts(dev)} "
        f"({time.perf_counter() - began:.0f} s to build)"
    )
    return Setup(params, base, AutoTokenizer.from_pretrained(base), seed_rows, pool, dev)


def seed_model(setup: Setup) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The seed model's dev scores, and its probabilities and features on the pool."""
    started = time.perf_counter()
    length = setup.params.max_length
    model, trained = fit(setup.seed_rows, setup.params, setup.base, setup.tokenizer)
    dev_probs, _, _ = score(model, setup.dev, setup.tokenizer, length)
    pool_probs, pool_features, pool_speed = score(model, setup.pool, setup.tokenizer, length)
    result = {
        **dev_scores(dev_probs, setup.dev),
        "training": trained,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "pool_texts_per_second": round(pool_speed, 1),
    }
    say(
        f"seed model: dev macro-F1 {result['macro_f1']:.4f}, incitement F1 "
        f"{result['incitement_f1']:.4f}; pool scored at {pool_speed:.0f} texts/s"
    )
    return result, pool_probs, pool_features


def train_on_order(
    setup: Setup, strategy: str, order_seed: int, order: np.ndarray, n: int
) -> dict[str, Any]:
    """A fresh model on the seed rows and the first `n` of `order`; its record."""
    picked = setup.pool.iloc[order[:n]]
    started = time.perf_counter()
    rows = pd.concat([setup.seed_rows, picked], ignore_index=True)
    model, trained = fit(rows, setup.params, setup.base, setup.tokenizer)
    probs = score(model, setup.dev, setup.tokenizer, setup.params.max_length)[0]
    found = dev_scores(probs, setup.dev)
    record = {
        "strategy": strategy,
        "order_seed": order_seed,
        "n": n,
        "picked": label_counts(picked),
        **found,
        "training": trained,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    say(
        f"{strategy:>8} seed {order_seed:<2} N={n:<5} macro-F1 "
        f"{found['macro_f1']:.4f} incitement F1 {found['incitement_f1']:.4f} "
        f"picked {record['picked']}  {trained['samples_per_second']:.0f} samples/s, "
        f"{record['wall_seconds']:.0f} s"
    )
    return record


def run(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    began = time.perf_counter()
    setup = prepare(args)
    seed_result, pool_probs, pool_features = seed_model(setup)
    clusters = (
        clusters_of(pool_features, args.clusters, args.seed)
        if "diverse" in args.strategies
        else None
    )
    records = []
    for strategy in args.strategies:
        seeds = (
            range(args.random_first, args.random_first + args.random_seeds)
            if strategy == BASELINE
            else [args.seed]
        )
        for order_seed in seeds:
            order = order_pool(strategy, pool_probs, order_seed, clusters)
            for n in args.sizes:
                records.append(train_on_order(setup, strategy, order_seed, order, n))
                write_text(out, json.dumps({"partial": True, "runs": records}, indent=2) + "\n")
    summary = summarise(records)
    at = 1000 if 1000 in args.sizes and 2000 in args.sizes else args.sizes[0]
    return {
        "settings": {key: getattr(args, key) for key in SETTINGS},
        "recipe": setup.params.model_dump(),
        "rows": {
            "seed": label_counts(setup.seed_rows),
            "pool": label_counts(setup.pool),
            "dev": label_counts(setup.dev),
        },
        "seed_model": seed_result,
        "runs": records,
        "summary": summary,
        "targets": [target(summary, s, at=at) for s in args.strategies if s != BASELINE],
        "wall_seconds": round(time.perf_counter() - began, 1),
        "torch_threads": torch.get_num_threads(),
    }


def say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.logging.set_verbosity_error()  # each fresh model's head report, 25 times
    transformers.utils.logging.disable_progress_bar()
    out = ROOT / args.out if not Path(args.out).is_absolute() else Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    result = run(args, out)
    print_table(result)
    write_text(out, json.dumps(result, indent=2) + "\n")
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
