"""The auxiliary heads refitted on the trained encoder's frozen features, so the signals mean
something.

Trained alongside the label head for one epoch on detached features, the target-group and
call-to-violence heads stayed near their starting point: about 0.3 for every group on "have a
nice day". After training, the pooled features of a sample of training rows are computed once
and each output (seven groups, two signals) is fitted as a logistic regression on the rows that
annotate it, `none` rows included as the negatives they are. The fitted weights replace the
heads' (both are linear maps of the same features), so every backend and the ONNX export carry
them. Logistic regression is calibrated by construction; the dev ECE, AUC and the precision of
`targets_detected` at the policy's bar are measured on dev and kept in metrics.json.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, roc_auc_score

from rabat.model.network import MultiTaskModel
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS, UNKNOWN
from training.batching import encode
from training.config import TrainConfig
from training.dataset import BuiltData
from training.inference import predict_probs
from training.metrics import calibration

logger = logging.getLogger(__name__)

TARGET_BAR = 0.5  # configs/rabat.yaml `intent.target_bar`: groups at or above are "detected"


def refit_on_sample(
    config: TrainConfig,
    data: BuiltData,
    model: MultiTaskModel,
    tokenizer: Any,
    dev_features: np.ndarray,
) -> dict[str, Any]:
    """Refit the auxiliary heads on a sample of training rows' frozen features; their dev
    quality before and after."""
    dev = data.splits["dev"]
    before = evaluate(*head_probs(model, dev_features), dev)
    rows = config.train.signal_rows
    if rows == 0:
        return {"refitted": False, "dev": before}
    train = data.splits["train"]
    signals_known = (train[list(BINARY_SIGNALS)] != UNKNOWN).any(axis=1)
    annotated = train[train["targets_known"] | signals_known]
    sample = annotated.sample(n=min(rows, len(annotated)), random_state=config.train.seed)
    started = time.perf_counter()
    _, features = predict_probs(
        model, encode(sample, tokenizer, config.train.max_length), tokenizer.pad_token_id
    )
    fitted = refit(model, features, sample.reset_index(drop=True))
    after = evaluate(*head_probs(model, dev_features), dev)
    logger.info(
        "auxiliary heads refitted on %d rows in %.0f s: targets_detected precision %s -> %s",
        len(sample),
        time.perf_counter() - started,
        before["targets_detected_precision"],
        after["targets_detected_precision"],
    )
    return {
        "refitted": True,
        "rows": len(sample),
        "outputs": fitted,
        "dev_before": before,
        "dev": after,
    }


def refit(model: MultiTaskModel, features: np.ndarray, frame: pd.DataFrame) -> dict[str, Any]:
    """Fit every auxiliary output on `features` (rows of `frame`) and write it into the heads."""
    fitted: dict[str, Any] = {}
    known = frame["targets_known"].to_numpy(bool)
    for i, group in enumerate(TARGET_GROUPS):
        y = np.array([group in row for row in frame["targets"]], dtype=int)[known]
        fitted[group] = _fit(model.target_head, i, features[known], y)
    for i, signal in enumerate(BINARY_SIGNALS):
        labels = frame[signal].to_numpy()
        mask = labels != UNKNOWN
        fitted[signal] = _fit(model.binary_head, i, features[mask], labels[mask].astype(int))
    return fitted


def _fit(head: torch.nn.Linear, row: int, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    if len(np.unique(y)) < 2:
        return {"rows": len(y), "positives": int(y.sum()), "fitted": False}
    regression = LogisticRegression(C=0.5, max_iter=2000).fit(x, y)
    with torch.no_grad():
        head.weight[row] = torch.tensor(regression.coef_[0], dtype=head.weight.dtype)
        head.bias[row] = float(regression.intercept_[0])
    return {"rows": len(y), "positives": int(y.sum()), "fitted": True}


def head_probs(model: MultiTaskModel, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Target-group and signal probabilities of the heads for pooled `features`."""
    with torch.no_grad():
        x = torch.from_numpy(features)
        targets = torch.sigmoid(model.target_head(x)).numpy()
        signals = torch.sigmoid(model.binary_head(x)).numpy()
    return targets, signals


def evaluate(
    target_probs: np.ndarray, signal_probs: np.ndarray, frame: pd.DataFrame
) -> dict[str, Any]:
    """Dev quality of the signals where the split annotates them: ECE and ROC-AUC per output,
    and the precision of `targets_detected` (groups at or above the policy's bar)."""
    out: dict[str, Any] = {}
    known = frame["targets_known"].to_numpy(bool)
    gold = np.array([[g in row for g in TARGET_GROUPS] for row in frame["targets"]], dtype=int)
    detected = target_probs[known] >= TARGET_BAR
    out["targets_detected_precision"] = (
        float(precision_score(gold[known].ravel(), detected.ravel(), zero_division=0))
        if detected.any()
        else None
    )
    out["targets_detected"] = int(detected.sum())
    for i, group in enumerate(TARGET_GROUPS):
        out[group] = _quality(gold[known][:, i], target_probs[known][:, i])
    for i, signal in enumerate(BINARY_SIGNALS):
        labels = frame[signal].to_numpy()
        mask = labels != UNKNOWN
        out[signal] = _quality(labels[mask].astype(int), signal_probs[mask][:, i])
    return out


def _quality(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    both = np.stack([1 - p, p], axis=1)
    return {
        "rows": len(y),
        "positives": int(y.sum()),
        "roc_auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None,
        "ece": calibration(y, both)["ece"] if len(y) else None,
    }
