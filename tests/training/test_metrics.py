"""Metrics on hand-made cases whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rabat.labels import LABELS
from training.metrics import calibration, compute_metrics


def one_hot(labels: list[str], confidence: float = 1.0) -> np.ndarray:
    """Probability rows putting `confidence` on each label and the rest spread evenly."""
    rest = (1.0 - confidence) / (len(LABELS) - 1)
    probs = np.full((len(labels), len(LABELS)), rest)
    for i, label in enumerate(labels):
        probs[i, LABELS.index(label)] = confidence
    return probs


def test_perfect_predictions_score_one_everywhere() -> None:
    gold = ["none", "offensive", "hate_speech", "incitement", "none"]
    metrics = compute_metrics(gold, gold, one_hot(gold), ["a"] * 5)
    assert metrics["accuracy"] == 1.0
    assert metrics["macro_f1"] == 1.0
    assert all(metrics["per_label"][label]["f1"] == 1.0 for label in LABELS)
    assert metrics["per_label"]["none"]["support"] == 2
    assert metrics["confusion_matrix"] == [
        [2, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
    ]
    assert metrics["calibration"]["ece"] == pytest.approx(0.0)
    assert metrics["binary_hateful"]["roc_auc"] == 1.0
    assert metrics["binary_hateful"]["pr_auc"] == 1.0


def test_known_confusion_gives_known_precision_recall_and_matrix() -> None:
    gold = ["none", "none", "none", "offensive", "offensive", "hate_speech"]
    pred = ["none", "none", "offensive", "offensive", "none", "offensive"]
    metrics = compute_metrics(gold, pred, one_hot(pred), None)
    # rows gold, columns predicted, in LABELS order
    assert metrics["confusion_matrix"] == [
        [2, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
    ]
    none, offensive = metrics["per_label"]["none"], metrics["per_label"]["offensive"]
    assert (none["precision"], none["recall"], none["f1"]) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert (offensive["precision"], offensive["recall"]) == pytest.approx((1 / 3, 1 / 2))
    assert offensive["f1"] == pytest.approx(0.4)
    # hate_speech: present but never predicted; incitement: absent and never predicted
    assert metrics["per_label"]["hate_speech"] == {
        "precision": None,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
    }
    assert metrics["per_label"]["incitement"]["f1"] is None
    assert metrics["macro_f1_labels"] == ["none", "offensive", "hate_speech"]
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.4 + 0.0) / 3)
    assert metrics["accuracy"] == pytest.approx(3 / 6)
    assert metrics["per_source"] == {}


def test_hateful_binary_groups_hate_speech_with_incitement() -> None:
    gold = ["hate_speech", "incitement", "offensive", "none"]
    # Swapping hate_speech and incitement is wrong four-way but right hateful-vs-not.
    pred = ["incitement", "hate_speech", "none", "hate_speech"]
    probs = np.array(
        [
            [0.1, 0.1, 0.3, 0.5],
            [0.1, 0.1, 0.5, 0.3],
            [0.6, 0.3, 0.1, 0.0],
            [0.2, 0.2, 0.5, 0.1],
        ]
    )
    binary = compute_metrics(gold, pred, probs, None)["binary_hateful"]
    assert binary["support_hateful"] == 2
    assert binary["support_not_hateful"] == 2
    assert binary["recall"] == 1.0
    assert binary["precision"] == pytest.approx(2 / 3)
    assert binary["f1"] == pytest.approx(0.8)
    # hateful scores 0.8, 0.8 vs not 0.1, 0.6: every hateful text ranks above every other one
    assert binary["roc_auc"] == 1.0


def test_auc_is_none_when_only_one_class_is_present() -> None:
    gold = ["none", "offensive"]
    binary = compute_metrics(gold, gold, one_hot(gold), None)["binary_hateful"]
    assert binary["roc_auc"] is None
    assert binary["pr_auc"] is None
    assert binary["recall"] is None


def test_ece_is_zero_for_a_perfectly_calibrated_toy_case() -> None:
    # Ten texts at confidence 0.7 of which seven are right: calibrated.
    true_idx = np.array([0] * 7 + [1] * 3)
    probs = one_hot(["none"] * 10, confidence=0.7)
    result = calibration(true_idx, probs)
    assert result["ece"] == pytest.approx(0.0)
    filled = [b for b in result["bins"] if b["count"]]
    assert len(filled) == 1
    assert filled[0]["confidence"] == pytest.approx(0.7)
    assert filled[0]["accuracy"] == pytest.approx(0.7)
    assert filled[0]["lower"] < 0.7 <= filled[0]["upper"]


def test_ece_measures_overconfidence() -> None:
    # Confidence 0.9, accuracy 0.5: the gap is 0.4.
    true_idx = np.array([0, 0, 1, 1])
    result = calibration(true_idx, one_hot(["none"] * 4, confidence=0.9))
    assert result["ece"] == pytest.approx(0.4)
    assert len(result["bins"]) == 15
    assert sum(b["count"] for b in result["bins"]) == 4


def test_per_source_macro_f1_uses_labels_present_in_that_source() -> None:
    gold = ["none", "offensive", "none", "incitement"]
    pred = ["none", "offensive", "offensive", "incitement"]
    sources = ["alpha", "alpha", "beta", "beta"]
    per_source = compute_metrics(gold, pred, one_hot(pred), sources)["per_source"]
    assert per_source["alpha"] == {
        "n": 2,
        "accuracy": 1.0,
        "macro_f1": 1.0,
        "macro_f1_labels": ["none", "offensive"],
    }
    assert per_source["beta"]["n"] == 2
    assert per_source["beta"]["accuracy"] == 0.5
    # beta: none F1 0 (missed), incitement F1 1; offensive is absent from beta's gold labels
    assert per_source["beta"]["macro_f1"] == pytest.approx(0.5)


def test_result_is_strict_json() -> None:
    gold = ["none", "offensive", "hate_speech"]
    metrics = compute_metrics(gold, ["none"] * 3, one_hot(["none"] * 3, 0.5), ["x"] * 3)
    json.dumps(metrics, allow_nan=False)


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"expected 2 items everywhere.*'y_pred': 1"):
        compute_metrics(["none", "none"], ["none"], one_hot(["none", "none"]), None)


def test_probs_with_wrong_columns_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"expected probs of shape \(n, 4\).*found shape \(1, 3\)"):
        compute_metrics(["none"], ["none"], np.ones((1, 3)) / 3, None)


def test_unknown_label_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown label 'hateful'"):
        compute_metrics(["hateful"], ["none"], one_hot(["none"]), None)
