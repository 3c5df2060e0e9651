"""The trainings of scripts/bench_active_learning.py: a fresh model on some rows with the loop of
training/train.py, its scores on the dev sample, the pool's clusters, the labels of a frame; and
the table it prints."""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np
import pandas as pd
import torch
from transformers import get_linear_schedule_with_warmup

from rabat.labels import LABELS
from rabat.model.network import MultiTaskModel
from training.active_learning import BASELINE
from training.batching import collate, encode, plan_batches
from training.config import TrainParams
from training.inference import predict_probs
from training.losses import class_weights, multitask_loss
from training.metrics import compute_metrics
from training.train import freeze


def fit(
    frame: pd.DataFrame, params: TrainParams, base: str, tokenizer: Any
) -> tuple[MultiTaskModel, dict[str, Any]]:
    """A fresh model trained on `frame` with training/train.py's loop and `params`."""
    torch.set_num_threads(params.threads)
    random.seed(params.seed)
    np.random.seed(params.seed)
    torch.manual_seed(params.seed)
    model = MultiTaskModel.from_base(base)
    model.detach_aux = params.aux_detach
    freeze(model, params.freeze_layers)
    data = encode(frame, tokenizer, params.max_length)
    total = -(-len(data) // params.batch_size) * params.epochs
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=params.learning_rate,
        weight_decay=params.weight_decay,
    )
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total * params.warmup_ratio), total)
    weights = class_weights(data.labels.tolist(), params.class_weighting)
    lengths = [len(ids) for ids in data.input_ids]
    model.train()
    started, samples = time.perf_counter(), 0
    for epoch in range(params.epochs):
        plan = plan_batches(
            lengths, params.batch_size, params.length_group_size, params.seed + epoch
        )
        for rows in plan:
            batch = collate(data, rows, tokenizer.pad_token_id)
            out = model(batch["input_ids"], batch["attention_mask"])
            loss = multitask_loss(
                out, batch, weights, params.aux_loss_weight, params.evidence_loss_weight
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            samples += len(rows)
    seconds = time.perf_counter() - started
    return model, {
        "samples": samples,
        "train_seconds": round(seconds, 1),
        "samples_per_second": round(samples / max(seconds, 1e-9), 1),
    }


def score(
    model: MultiTaskModel, frame: pd.DataFrame, tokenizer: Any, max_length: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Label probabilities and pooled features of every row, and texts/s."""
    started = time.perf_counter()
    probs, pooled = predict_probs(
        model, encode(frame, tokenizer, max_length), tokenizer.pad_token_id
    )
    return probs, pooled, len(frame) / max(time.perf_counter() - started, 1e-9)


def dev_scores(probs: np.ndarray, dev: pd.DataFrame) -> dict[str, Any]:
    predicted = [LABELS[i] for i in probs.argmax(axis=1)]
    found = compute_metrics(list(dev["label"]), predicted, probs)
    return {
        "macro_f1": found["macro_f1"],
        "incitement_f1": found["per_label"]["incitement"]["f1"] or 0.0,
        "f1_per_label": {label: found["per_label"][label]["f1"] for label in LABELS},
        "accuracy": found["accuracy"],
    }


def clusters_of(features: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-means over the L2-normalised features (the sentence embedding's own geometry)."""
    from sklearn.cluster import KMeans

    unit = features / np.linalg.norm(features, axis=1, keepdims=True).clip(min=1e-12)
    return KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(unit)


def label_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["label"].value_counts()
    return {label: int(counts.get(label, 0)) for label in LABELS}


def print_table(result: dict[str, Any]) -> None:
    speed = {
        (r["strategy"], r["n"]): (r["training"]["samples_per_second"], r["wall_seconds"])
        for r in result["runs"]
    }
    print()
    print(
        f"{'strategy':<9}{'N':>6}{'runs':>5}{'macro-F1':>10}{'vs random':>11}{'ratio':>7}"
        f"{'incit-F1':>10}{'vs random':>11}{'samples/s':>11}{'wall s':>8}"
    )
    for row in result["summary"]:
        per_s, wall = speed[(row["strategy"], row["n"])]
        vs = "" if row["strategy"] == BASELINE else f"{row['macro_f1_vs_random']:+.4f}"
        ratio = "" if row["strategy"] == BASELINE else f"{row['macro_f1_ratio']:.3f}"
        vs_inc = "" if row["strategy"] == BASELINE else f"{row['incitement_f1_vs_random']:+.4f}"
        print(
            f"{row['strategy']:<9}{row['n']:>6}{row['runs']:>5}{row['macro_f1']:>10.4f}{vs:>11}"
            f"{ratio:>7}{row['incitement_f1']:>10.4f}{vs_inc:>11}{per_s:>11.0f}{wall:>8.0f}"
        )
    seed = result["seed_model"]
    print(
        f"seed model ({result['settings']['seed_rows']} rows): macro-F1 {seed['macro_f1']:.4f}, "
        f"incitement F1 {seed['incitement_f1']:.4f}; random's spread over its seeds is in the "
        "JSON (macro_f1_spread)"
    )
    for found in result["targets"]:
        if found["met"] is None:
            print(f"target ({found['strategy']}): not measured, {found['why']}")
            continue
        doubled = found["random_at_double"]
        print(
            f"target ({found['strategy']}): at N={found['at']} macro-F1 {found['macro_f1']:.4f} "
            f"vs random {found['random']:.4f} ({found['macro_f1'] - found['random']:+.4f}, needs "
            f"+0.02), random at N={2 * found['at']} "
            f"{'n/a' if doubled is None else f'{doubled:.4f}'}: "
            f"{'MET' if found['met'] else 'not met'}"
        )
    print(f"wall time {result['wall_seconds']:.0f} s on {result['torch_threads']} threads")
