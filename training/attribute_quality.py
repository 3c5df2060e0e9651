"""How good a quantity's calibration is, measured honestly: fitted on one half of the dev rows
and measured on the other, both ways round (2-fold), overall and per language; ROC-AUC,
expected calibration error (ECE, 15 equal bins), and the thresholds that reach a precision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

BINS = 15
MIN_LANGUAGE_ROWS = 100  # a language's own figures are reported from this many dev rows
SEED = 0

FitApply = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""(raw, y, languages) to fit on, then (raw, languages) to score: the calibrated scores."""


def ece(probs: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: the row-weighted mean |mean score - positive rate| per bin."""
    which = np.minimum((probs * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(probs[inside].mean() - y[inside].mean())
    return float(total / max(len(y), 1))


def cross_fitted(
    raw: np.ndarray, y: np.ndarray, languages: np.ndarray, fit_apply: FitApply
) -> np.ndarray:
    """Every row's calibrated score from a fit on the other half (2 folds, seeded)."""
    half = np.random.default_rng(SEED).permutation(len(y)) % 2 == 0
    calibrated = np.empty(len(y))
    for fold in (half, ~half):
        calibrated[fold] = fit_apply(
            raw[~fold], y[~fold], languages[~fold], raw[fold], languages[fold]
        )
    return calibrated


def measure(
    raw: np.ndarray, y: np.ndarray, languages: np.ndarray, fit_apply: FitApply, curve_only: FitApply
) -> dict[str, Any]:
    """Overall and per-language quality of `fit_apply`'s scores; per language also the ECE of
    the curve alone (`curve_only`), which shows what the language corrections bring."""
    calibrated = cross_fitted(raw, y, languages, fit_apply)
    plain = cross_fitted(raw, y, languages, curve_only)
    by_language = {}
    for code in sorted(set(languages.tolist())):
        mine = languages == code
        if mine.sum() >= MIN_LANGUAGE_ROWS:
            found = quality(raw[mine], y[mine], calibrated[mine])
            by_language[code] = {**found, "ece_curve_only": round(ece(plain[mine], y[mine]), 4)}
    return {
        **quality(raw, y, calibrated),
        "ece_curve_only": round(ece(plain, y), 4),
        "thresholds": thresholds(calibrated, y),
        "by_language": by_language,
    }


def quality(raw: np.ndarray, y: np.ndarray, calibrated: np.ndarray) -> dict[str, Any]:
    both = len(set(y.tolist())) == 2
    return {
        "rows": len(y),
        "positives": int(y.sum()),
        "roc_auc": round(float(roc_auc_score(y, raw)), 4) if both else None,
        "roc_auc_calibrated": round(float(roc_auc_score(y, calibrated)), 4) if both else None,
        "ece_raw": round(ece(raw, y), 4),
        "ece": round(ece(calibrated, y), 4),
    }


def thresholds(scores: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Precision and recall at 0.5, 0.7 and 0.8, and the lowest threshold that reaches a
    precision of 0.7 and of 0.8 (None where none does)."""
    at = {}
    for t in (0.5, 0.7, 0.8):
        flagged = scores >= t
        precision = float(y[flagged].mean()) if flagged.any() else None
        at[str(t)] = {"precision": _round(precision), "recall": _recall(flagged, y)}
    reach: dict[str, Any] = {}
    for target in (0.7, 0.8):
        reach[str(target)] = None
        for t in sorted(set(np.round(scores, 4).tolist())):
            flagged = scores >= t
            if flagged.any() and y[flagged].mean() >= target:
                reach[str(target)] = {"threshold": t, "recall": _recall(flagged, y)}
                break
    return {"at": at, "for_precision": reach}


def _recall(flagged: np.ndarray, y: np.ndarray) -> float:
    return round(float((flagged & y).sum() / max(y.sum(), 1)), 4)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
