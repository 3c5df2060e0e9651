"""The evidence metrics, as the HateXplain and ERASER code computes them (docs/evidence.md).

Plausibility compares a post's word scores with the words people marked (`gold`, 0/1 per
word); faithfulness is computed in `evaluation.evidence`, since it needs the model. All
functions are pure; `mean_*` aggregate over posts the way the papers report them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import auc, precision_recall_curve

# One definition of the Toxic Spans metric, shared with the fit of the evidence policy
from rabat.model.evidence import char_f1 as char_f1

TOP_K = 5
IOU_THRESHOLD = 0.5


def top_k(scores: Sequence[float], k: int = TOP_K) -> list[int]:
    """The indices of the `k` highest scores (ties: the earlier word), in text order."""
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    return sorted(ranked)


def token_f1(chosen: Sequence[int], gold: Sequence[int]) -> float:
    """F1 of the chosen word indices against the marked words of one post (0 when either is
    empty, 1 when both are)."""
    marked = {i for i, g in enumerate(gold) if g}
    picked = set(chosen)
    if not marked and not picked:
        return 1.0
    hit = len(marked & picked)
    if hit == 0:
        return 0.0
    precision, recall = hit / len(picked), hit / len(marked)
    return 2 * precision * recall / (precision + recall)


def gold_spans(gold: Sequence[int]) -> list[tuple[int, int]]:
    """The runs of marked words as [start, end) word-index spans."""
    spans: list[tuple[int, int]] = []
    for i, g in enumerate(gold):
        if not g:
            continue
        if spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def iou_precision_recall(chosen: Sequence[int], gold: Sequence[int]) -> tuple[float, float]:
    """ERASER's partial match for one post: each chosen word is a predicted span of its own
    (HateXplain's discretisation); a predicted span matches a gold run when their IOU reaches
    0.5. Precision over predicted spans, recall over gold runs."""
    predicted = [(i, i + 1) for i in chosen]
    runs = gold_spans(gold)
    if not predicted or not runs:
        return (1.0, 1.0) if not predicted and not runs else (0.0, 0.0)
    precision = sum(any(_iou(p, g) >= IOU_THRESHOLD for g in runs) for p in predicted)
    recall = sum(any(_iou(p, g) >= IOU_THRESHOLD for p in predicted) for g in runs)
    return precision / len(predicted), recall / len(runs)


def mean_iou_f1(pairs: Sequence[tuple[float, float]]) -> float:
    """ERASER's macro IOU F1: precision and recall averaged over posts, then their F1."""
    if not pairs:
        return 0.0
    precision = float(np.mean([p for p, _ in pairs]))
    recall = float(np.mean([r for _, r in pairs]))
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def auprc(scores: Sequence[float], gold: Sequence[int]) -> float:
    """Area under one post's precision-recall curve of the word scores against the marked
    words (scikit-learn's curve and trapezoidal `auc`, as the HateXplain code does)."""
    if not any(gold):
        return 0.0
    precision, recall, _ = precision_recall_curve(
        np.asarray(gold, dtype=int), np.asarray(scores, dtype=float)
    )
    return float(auc(recall, precision))
