"""An ONNX export checked against PyTorch on the model's dev split: macro-F1 of each backend
and how far ONNX's probabilities and evidence are from PyTorch's (`onnx_export.json`, `dev`)."""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from rabat.labels import LABELS
from rabat.model.loader import ONNX, ONNX_INT8, load_classifier, load_torch
from rabat.model.prediction import Prediction
from training.labelled_files import LabelledRow, read_labelled
from training.metrics import compute_metrics

logger = logging.getLogger(__name__)


DEV_FILE = Path("splits") / "dev.jsonl"


SAMPLE_SEED = 13
CHECKED = {"onnx_fp32": ONNX, "onnx_int8": ONNX_INT8}  # the record's names -> the loader's


def stratified_sample(rows: list[LabelledRow], n: int | None) -> list[LabelledRow]:
    """About `n` rows with the label proportions of `rows` (all rows when n is None or larger)."""
    if n is None or n >= len(rows):
        return rows
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_label[row.label].append(i)
    rng = random.Random(SAMPLE_SEED)
    chosen: list[int] = []
    for _, idx in sorted(by_label.items()):
        chosen += rng.sample(idx, min(len(idx), max(1, round(n * len(idx) / len(rows)))))
    return [rows[i] for i in sorted(chosen)]


def check_on_dev(model_dir: Path, dev_limit: int | None, int8: bool) -> dict[str, Any]:
    """Macro-F1 of PyTorch and ONNX on the dev split, and how far ONNX is from PyTorch."""
    if not (model_dir / DEV_FILE).is_file():
        raise FileNotFoundError(
            f"{model_dir / DEV_FILE} not found: the check scores the model's dev split. "
            "Pass --no-check to export without it."
        )
    all_rows = read_labelled(model_dir / DEV_FILE)
    rows = stratified_sample(all_rows, dev_limit)
    texts, gold = [row.text for row in rows], [row.label for row in rows]
    sample = "all" if len(rows) == len(all_rows) else f"stratified by label, seed {SAMPLE_SEED}"
    result: dict[str, Any] = {"file": str(DEV_FILE), "rows": len(rows), "sample": sample}
    logger.info("scoring %d dev rows with PyTorch", len(rows))
    reference_preds = load_torch(model_dir).predict(texts)
    reference = _arrays(reference_preds)
    result["torch"] = _scores(gold, reference["labels"])
    for name in ["onnx_fp32"] + (["onnx_int8"] if int8 else []):
        logger.info("scoring %d dev rows with %s", len(rows), name)
        backend = load_classifier(model_dir, CHECKED[name])
        found_preds = backend.predict(texts)
        found = _arrays(found_preds)
        result[name] = _scores(gold, found["labels"]) | _parity(reference, found)
        result[name]["evidence"] = evidence_parity(reference_preds, found_preds)
        result[name]["macro_f1_delta"] = result[name]["macro_f1"] - result["torch"]["macro_f1"]
    return result


def _arrays(preds: list[Prediction]) -> dict[str, np.ndarray]:
    return {
        "labels": np.array([list(p.scores.values()) for p in preds]),
        "target_groups": np.array([list(p.target_groups.values()) for p in preds]),
        "signals": np.array([[p.call_to_violence, p.dehumanisation] for p in preds]),
    }


def evidence_parity(reference: list[Prediction], found: list[Prediction]) -> dict[str, Any]:
    """How far a backend's word evidence scores are from PyTorch's: texts whose words match,
    and the largest and mean score difference over those words."""
    same = [(r, f) for r, f in zip(reference, found, strict=True) if _spans(r) == _spans(f)]
    diffs = np.array(
        [abs(a[2] - b[2]) for r, f in same for a, b in zip(r.words, f.words, strict=True)]
    )
    return {
        "texts_with_same_words": len(same) / max(len(reference), 1),
        "max_abs_score_diff": float(diffs.max()) if len(diffs) else 0.0,
        "mean_abs_score_diff": float(diffs.mean()) if len(diffs) else 0.0,
    }


def _spans(prediction: Prediction) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _ in prediction.words]


def _scores(gold: list[str], probs: np.ndarray) -> dict[str, Any]:
    metrics = compute_metrics(gold, [LABELS[i] for i in probs.argmax(axis=1)], probs)
    return {"macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"]}


def _parity(reference: dict[str, np.ndarray], found: dict[str, np.ndarray]) -> dict[str, Any]:
    same = reference["labels"].argmax(axis=1) == found["labels"].argmax(axis=1)
    return {
        "label_agreement": float(same.mean()),
        "max_abs_prob_diff": {k: float(np.abs(reference[k] - found[k]).max()) for k in reference},
        "mean_abs_prob_diff": {k: float(np.abs(reference[k] - found[k]).mean()) for k in reference},
    }
