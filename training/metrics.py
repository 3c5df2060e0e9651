"""Evaluation metrics over the four labels: pure functions of labels and probabilities.

Everything returned is JSON-serialisable (floats, ints, lists, dicts, None). A metric that is
undefined on the data (precision of a label never predicted, recall of a label absent from the
gold labels, ROC-AUC with one class) is None rather than a misleading 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

from rabat.labels import HATEFUL, LABELS, parse_label

logger = logging.getLogger(__name__)

N_BINS = 15
HATEFUL_COLUMNS = [LABELS.index(label) for label in sorted(HATEFUL)]


def compute_metrics(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    probs: np.ndarray,
    sources: Sequence[str] | None = None,
) -> dict[str, Any]:
    """All metrics for one system on one file; `probs` is n x 4 with columns in LABELS order."""
    probs = np.asarray(probs, dtype=float)
    _check_inputs(y_true, y_pred, probs, sources)
    true_idx, pred_idx = _indices(y_true), _indices(y_pred)
    matrix = confusion_matrix(true_idx, pred_idx, labels=list(range(len(LABELS))))
    per_label = per_label_metrics(matrix)
    return {
        "n": len(y_true),
        "labels": list(LABELS),
        "accuracy": _accuracy(true_idx, pred_idx),
        "macro_f1": macro_f1(per_label),
        "macro_f1_labels": _present(per_label),
        "per_label": per_label,
        "confusion_matrix": matrix.tolist(),
        "per_source": per_source_metrics(true_idx, pred_idx, sources),
        "binary_hateful": binary_hateful_metrics(true_idx, pred_idx, probs),
        "calibration": calibration(true_idx, probs),
    }


def per_label_metrics(matrix: np.ndarray) -> dict[str, dict[str, float | int | None]]:
    """Precision, recall, F1 and support per label from a confusion matrix (rows true)."""
    result: dict[str, dict[str, float | int | None]] = {}
    for i, label in enumerate(LABELS):
        tp, predicted, support = int(matrix[i, i]), int(matrix[:, i].sum()), int(matrix[i].sum())
        precision, recall, f1 = _prf(tp, predicted, support)
        result[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return result


def macro_f1(per_label: dict[str, dict[str, float | int | None]]) -> float | None:
    """Mean F1 over the labels present in the gold labels (support > 0)."""
    scores = [float(per_label[label]["f1"] or 0.0) for label in _present(per_label)]
    return float(np.mean(scores)) if scores else None


def per_source_metrics(
    true_idx: np.ndarray, pred_idx: np.ndarray, sources: Sequence[str] | None
) -> dict[str, dict[str, Any]]:
    """n, accuracy and macro-F1 (over labels present in that source) for each source."""
    if sources is None:
        return {}
    source_array = np.asarray(sources, dtype=object)
    result = {}
    for source in sorted(set(sources)):
        mask = source_array == source
        matrix = confusion_matrix(true_idx[mask], pred_idx[mask], labels=list(range(len(LABELS))))
        per_label = per_label_metrics(matrix)
        result[source] = {
            "n": int(mask.sum()),
            "accuracy": _accuracy(true_idx[mask], pred_idx[mask]),
            "macro_f1": macro_f1(per_label),
            "macro_f1_labels": _present(per_label),
        }
    return result


def binary_hateful_metrics(
    true_idx: np.ndarray, pred_idx: np.ndarray, probs: np.ndarray
) -> dict[str, Any]:
    """Hateful (hate_speech or incitement) against not; AUCs from p(hate_speech)+p(incitement)."""
    hateful_idx = np.asarray(HATEFUL_COLUMNS)
    is_true, is_pred = np.isin(true_idx, hateful_idx), np.isin(pred_idx, hateful_idx)
    tp = int((is_true & is_pred).sum())
    precision, recall, f1 = _prf(tp, int(is_pred.sum()), int(is_true.sum()))
    score = probs[:, HATEFUL_COLUMNS].sum(axis=1)
    both = 0 < is_true.sum() < len(is_true)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support_hateful": int(is_true.sum()),
        "support_not_hateful": int((~is_true).sum()),
        "roc_auc": float(roc_auc_score(is_true, score)) if both else None,
        "pr_auc": float(average_precision_score(is_true, score)) if both else None,
    }


def calibration(true_idx: np.ndarray, probs: np.ndarray, n_bins: int = N_BINS) -> dict[str, Any]:
    """Expected calibration error of the top-label confidence, and the reliability-diagram bins."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == true_idx
    # Bins are (lower, upper]; a confidence of exactly 0 falls in the first bin.
    bin_idx = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        mask = bin_idx == b
        count = int(mask.sum())
        mean_conf = float(confidence[mask].mean()) if count else None
        accuracy = float(correct[mask].mean()) if count else None
        if count:
            ece += count / len(confidence) * abs(float(accuracy or 0.0) - float(mean_conf or 0.0))
        bins.append(
            {
                "lower": b / n_bins,
                "upper": (b + 1) / n_bins,
                "count": count,
                "confidence": mean_conf,
                "accuracy": accuracy,
            }
        )
    return {"ece": ece, "n_bins": n_bins, "bins": bins}


def split_metrics(
    name: str,
    frame: Any,
    raw: np.ndarray,
    corrected: np.ndarray,
    decided: list[str] | None = None,
) -> dict[str, Any]:
    """A split's metrics after the corrections (`name`; labels `decided` by the operating point,
    else the argmax), per language when it holds several (`name_per_language`), and its
    macro-F1 before them (`name_uncorrected`)."""
    labels, sources = list(frame["label"]), list(frame["source"])
    decided = argmax_labels(corrected) if decided is None else decided
    out = {name: compute_metrics(labels, decided, corrected, sources)}
    if "language" in frame and frame["language"].nunique() > 1:
        out[f"{name}_per_language"] = per_language(frame, corrected, decided)
    out[f"{name}_uncorrected"] = {
        "macro_f1": compute_metrics(labels, argmax_labels(raw), raw, sources)["macro_f1"]
    }
    return out


def per_language(frame: Any, probs: np.ndarray, decided: list[str] | None = None) -> dict[str, Any]:
    """Macro-F1, accuracy and rows of each language of a split (the macro-F1 over the labels
    that language's rows hold); labels `decided`, else the argmax."""
    decided = argmax_labels(probs) if decided is None else decided
    out = {}
    for language in sorted(frame["language"].unique()):
        rows = np.flatnonzero((frame["language"] == language).to_numpy())
        labels = [frame["label"].iloc[i] for i in rows]
        found = compute_metrics(labels, [decided[i] for i in rows], probs[rows])
        out[str(language)] = {
            "n": found["n"],
            "macro_f1": found["macro_f1"],
            "accuracy": found["accuracy"],
            "labels": found["macro_f1_labels"],
        }
    return out


def argmax_labels(probs: np.ndarray) -> list[str]:
    """The most probable label of each row."""
    return [LABELS[i] for i in probs.argmax(axis=1)]


def _prf(tp: int, predicted: int, support: int) -> tuple[float | None, float | None, float | None]:
    precision = tp / predicted if predicted else None
    recall = tp / support if support else None
    if recall is None:
        return precision, None, None
    if not tp:
        return precision, recall, 0.0
    p = float(precision or 0.0)
    return precision, recall, 2 * p * recall / (p + recall)


def _present(per_label: dict[str, dict[str, float | int | None]]) -> list[str]:
    return [label for label in LABELS if int(per_label[label]["support"] or 0) > 0]


def _accuracy(true_idx: np.ndarray, pred_idx: np.ndarray) -> float:
    return float((true_idx == pred_idx).mean())


def _indices(labels: Sequence[str]) -> np.ndarray:
    return np.asarray([LABELS.index(parse_label(label).value) for label in labels], dtype=int)


def _check_inputs(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    probs: np.ndarray,
    sources: Sequence[str] | None,
) -> None:
    n = len(y_true)
    if n == 0:
        raise ValueError("compute_metrics: no examples: expected at least one label.")
    lengths = {"y_pred": len(y_pred), "probs rows": probs.shape[0] if probs.ndim else 0}
    if sources is not None:
        lengths["sources"] = len(sources)
    wrong = {name: m for name, m in lengths.items() if m != n}
    if wrong:
        raise ValueError(
            f"compute_metrics: expected {n} items everywhere (len(y_true)), found {wrong}. "
            "Pass one prediction, probability row and source per gold label."
        )
    if probs.ndim != 2 or probs.shape[1] != len(LABELS):
        raise ValueError(
            f"compute_metrics: expected probs of shape (n, {len(LABELS)}) with columns "
            f"{list(LABELS)}, found shape {probs.shape}."
        )
