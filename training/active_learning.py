"""Orders in which a reviewer could label a pool, from a seed model's label probabilities, and
the comparison of what each order buys (scripts/bench_active_learning.py).

Pure numpy: no model, no data loading. `probs` is n x 4 in `rabat.labels.LABELS` order. Every
order is a permutation of the pool's row indices, most useful row first; ties are broken by a
seeded shuffle so that no order inherits the pool's own (sorted by text key) order.

- `queue`: `rabat.review.labeling.review_priority`, the order the annotation queue uses;
- `random`: a seeded shuffle, the baseline;
- `margin`: 1 - (p1 - p2) alone, without the incitement term;
- `entropy`: the label distribution's entropy, normalised to [0, 1];
- `quota`: the queue's priority, taken in turn from each predicted label (per-label quotas);
- `diverse`: the queue's priority, taken in turn from each cluster of the seed model's features;
- `mixed`: the queue's and a random order interleaved, one row of each in turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rabat.labels import LABELS
from rabat.review.labeling import review_priority

STRATEGIES = ("queue", "random", "margin", "entropy", "quota", "diverse", "mixed")
BASELINE = "random"


def queue_priority(probs: np.ndarray) -> np.ndarray:
    """`review_priority` of every row: the queue's own function, not a copy of it."""
    return np.asarray(
        [review_priority(dict(zip(LABELS, map(float, row), strict=True))) for row in probs]
    )


def margin_uncertainty(probs: np.ndarray) -> np.ndarray:
    """1 - (p1 - p2): 1 where the two likeliest labels tie, 0 where one label is certain."""
    top = np.sort(probs, axis=1)[:, ::-1]
    return 1.0 - (top[:, 0] - top[:, 1])


def entropy(probs: np.ndarray) -> np.ndarray:
    """The entropy of each row's distribution over the labels, divided by its maximum."""
    clipped = np.clip(probs, 1e-12, 1.0)
    return -(clipped * np.log(clipped)).sum(axis=1) / np.log(probs.shape[1])


def descending(scores: np.ndarray, seed: int) -> np.ndarray:
    """Row indices by score, highest first; equal scores in a seeded random order."""
    shuffled = np.random.default_rng(seed).permutation(len(scores))
    return shuffled[np.argsort(-scores[shuffled], kind="stable")]


def round_robin(groups: np.ndarray, scores: np.ndarray, seed: int) -> np.ndarray:
    """Each group's rows by score, highest first, taken one per group in turn (the group with
    the best row first); a group that runs out drops out of the turn."""
    ranked = descending(scores, seed)
    queues: dict[Any, list[int]] = {}
    for row in ranked:  # groups appear in the order of their best row
        queues.setdefault(groups[row], []).append(int(row))
    columns = list(queues.values())
    order = [
        col[depth] for depth in range(max(map(len, columns))) for col in columns if depth < len(col)
    ]
    return np.asarray(order, dtype=int)


def interleave(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One row of `first`, one of `second`, in turn, skipping rows already taken."""
    taken: set[int] = set()
    order = []
    for pair in zip(first, second, strict=True):
        for row in pair:
            if int(row) not in taken:
                taken.add(int(row))
                order.append(int(row))
    return np.asarray(order, dtype=int)


def order_pool(
    strategy: str, probs: np.ndarray, seed: int, clusters: np.ndarray | None = None
) -> np.ndarray:
    """The pool's rows in the order `strategy` would send them to a reviewer."""
    if strategy == "random":
        return np.random.default_rng(seed).permutation(len(probs))
    if strategy == "queue":
        return descending(queue_priority(probs), seed)
    if strategy == "margin":
        return descending(margin_uncertainty(probs), seed)
    if strategy == "entropy":
        return descending(entropy(probs), seed)
    if strategy == "quota":
        return round_robin(probs.argmax(axis=1), queue_priority(probs), seed)
    if strategy == "diverse":
        if clusters is None or len(clusters) != len(probs):
            raise ValueError(
                "the diverse order needs one cluster id per pool row: pass `clusters` "
                "(k-means over the seed model's features)"
            )
        return round_robin(clusters, queue_priority(probs), seed)
    if strategy == "mixed":
        return interleave(order_pool("queue", probs, seed), order_pool("random", probs, seed))
    raise ValueError(f"unknown strategy {strategy!r}: expected one of {', '.join(STRATEGIES)}")


def parse_strategies(text: str) -> list[str]:
    """`queue,random` -> ["queue", "random"]; an unknown name is refused with the known ones."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in STRATEGIES]
    if unknown or not names:
        raise ValueError(
            f"--strategies {text!r}: unknown {unknown or 'empty list'}; choose from "
            f"{', '.join(STRATEGIES)} (comma-separated)"
        )
    return list(dict.fromkeys(names))


def stratified_sample(labels: Sequence[str], n: int, floor: int, seed: int) -> np.ndarray:
    """`n` row indices: every label gets `floor` rows (or all it has), the rest are shared in
    proportion to what each label has left; sorted. A rare label so gets enough rows to score
    its F1 while the common ones keep their proportions."""
    values = np.asarray(labels)
    if n > len(values):
        raise ValueError(f"asked for {n} rows from {len(values)}: lower the sample size")
    names, counts = np.unique(values, return_counts=True)
    quota = np.minimum(counts, floor)
    if quota.sum() > n:
        raise ValueError(
            f"a floor of {floor} rows for each of {len(names)} labels exceeds {n}: lower the floor"
        )
    left = counts - quota
    room = n - quota.sum()
    share = room * left / max(left.sum(), 1)
    extra = np.floor(share).astype(int)
    for i in np.argsort(-(share - extra))[: room - extra.sum()]:  # largest remainders
        extra[i] += 1
    quota = quota + extra
    rng = np.random.default_rng(seed)
    picked = [
        rng.choice(np.flatnonzero(values == name), size=int(k), replace=False)
        for name, k in zip(names, quota, strict=True)
    ]
    return np.sort(np.concatenate(picked))


def summarise(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per strategy and size: mean macro-F1 and incitement F1 over its runs, their
    difference from the random baseline's mean at the same size, and the ratio."""
    groups: dict[tuple[str, int], list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault((record["strategy"], int(record["n"])), []).append(record)
    baseline = {
        n: (_mean(runs, "macro_f1"), _mean(runs, "incitement_f1"))
        for (strategy, n), runs in groups.items()
        if strategy == BASELINE
    }
    rows = []
    for (strategy, n), runs in groups.items():
        macro, incitement = _mean(runs, "macro_f1"), _mean(runs, "incitement_f1")
        base = baseline.get(n)
        rows.append(
            {
                "strategy": strategy,
                "n": n,
                "runs": len(runs),
                "macro_f1": macro,
                "macro_f1_spread": _spread(runs, "macro_f1"),
                "incitement_f1": incitement,
                "macro_f1_vs_random": None if base is None else macro - base[0],
                "macro_f1_ratio": None if base is None or not base[0] else macro / base[0],
                "incitement_f1_vs_random": None if base is None else incitement - base[1],
            }
        )
    return sorted(rows, key=lambda row: (STRATEGIES.index(row["strategy"]), row["n"]))


def target(
    summary: Sequence[Mapping[str, Any]], strategy: str, at: int = 1000, margin: float = 0.02
) -> dict[str, Any]:
    """Issue 12's target for `strategy`: at `at` texts it beats random by `margin` macro-F1, or
    reaches random's score at twice as many texts (counted only where random gains from the
    doubling: were random's score at twice the texts lower, reaching it would prove nothing)."""
    score = {(row["strategy"], row["n"]): row["macro_f1"] for row in summary}
    mine, base, doubled = (
        score.get((strategy, at)),
        score.get((BASELINE, at)),
        score.get((BASELINE, 2 * at)),
    )
    if mine is None or base is None:
        return {"strategy": strategy, "met": None, "why": f"needs {strategy} and random at {at}"}
    beats = mine - base >= margin
    halves = doubled is not None and doubled > base and mine >= doubled
    return {
        "strategy": strategy,
        "at": at,
        "macro_f1": mine,
        "random": base,
        "random_at_double": doubled,
        "beats_by_margin": bool(beats),
        "reaches_double": bool(halves),
        "met": bool(beats or halves),
    }


def _mean(runs: Sequence[Mapping[str, Any]], key: str) -> float:
    return float(np.mean([float(run[key] or 0.0) for run in runs]))


def _spread(runs: Sequence[Mapping[str, Any]], key: str) -> float:
    values = [float(run[key] or 0.0) for run in runs]
    return float(max(values) - min(values))
