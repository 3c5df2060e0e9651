"""The fits of a model's signal policy, on synthetic rows with a known best answer (pure logic)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rabat.model.evidence import EvidencePolicy
from rabat.model.prediction import Prediction
from rabat.signals import TARGET_GROUPS
from training import signal_fits as fits
from training.signal_policy import fit_from_predictions

TEXT = "aaaa bbbb cccc dddd"
WORDS = ((0, 4, 0.9), (5, 9, 0.5), (10, 14, 0.3), (15, 19, 0.1))


def prediction(
    label: str = "hate_speech", none: float = 0.1, targets: dict[str, float] | None = None
) -> Prediction:
    rest = (1.0 - none) / 3
    scores = {"none": none, "offensive": rest, "hate_speech": rest, "incitement": rest}
    groups = {g: 0.0 for g in TARGET_GROUPS} | (targets or {})
    return Prediction(label, scores, groups, 0.0, 0.0, False, words=WORDS)


def row(gold_words: int) -> fits.RationaleRow:
    """People marked the first `gold_words` words (the model's highest)."""
    gold = frozenset(ch for s, e, _ in WORDS[:gold_words] for ch in range(s, e))
    return fits.RationaleRow(TEXT, prediction(), gold)


def test_the_evidence_fit_finds_how_many_words_people_mark() -> None:
    # people mark the two best words: top_k 2, or a relative bar between 0.34 and 0.55
    policy, f1 = fits.fit_evidence([row(2)] * 5)
    shown = policy.spans(TEXT, prediction())
    assert [s.text for s in shown] == ["aaaa", "bbbb"] and f1 == 1.0


def test_the_evidence_fit_shows_nothing_where_people_mark_nothing_on_near_misses() -> None:
    # hateful rows marked on their three best words; `none` predictions at p(none) 0.6, marked empty
    near_miss = fits.RationaleRow(TEXT, prediction("none", none=0.6), frozenset())
    policy, f1 = fits.fit_evidence([row(3)] * 3 + [near_miss] * 3)
    assert policy.none_bar > 0.4 and policy.spans(TEXT, near_miss.prediction) == []
    assert f1 == 1.0


def test_the_served_f1_is_the_toxic_spans_mean() -> None:
    one_of_two = fits.served_f1([row(2)], EvidencePolicy(relative=1.0, top_k=1))
    assert abs(one_of_two - 2 * 4 / (4 + 8)) < 1e-9


def test_the_bar_has_the_largest_recall_at_which_precision_reaches_the_aim() -> None:
    rng = np.random.default_rng(0)
    probs = np.round(rng.random(300), 2)  # ties on purpose
    truth = rng.random(300) < probs**2
    choice = fits.choose_bar(probs, truth, 0.5)
    assert choice.bar is not None and truth[probs >= choice.bar].mean() >= fits.PRECISION_AIM
    feasible = [
        truth[probs >= bar].sum() / truth.sum()
        for bar in set(probs.tolist())
        if (probs >= bar).sum() >= fits.MIN_DETECTIONS
        and truth[probs >= bar].mean() >= fits.PRECISION_AIM
    ]
    assert choice.recall == max(feasible)


def test_a_group_that_reaches_the_aim_at_no_bar_is_never_listed() -> None:
    probs = np.linspace(0.01, 1.0, 100)
    truth = np.arange(100) % 2 == 0  # precision 0.5 at every bar
    choice = fits.choose_bar(probs, truth, 0.5)
    assert choice.bar is None and "no bar" in choice.reason


def test_a_group_with_too_few_positives_keeps_the_default_bar() -> None:
    probs = np.linspace(0.01, 1.0, 100)
    truth = np.zeros(100, bool)
    truth[-3:] = True
    assert fits.choose_bar(probs, truth, 0.5).bar == 0.5


def test_the_whole_fit_reports_before_and_after_on_dev_rows() -> None:
    rows: list[dict[str, Any]] = []
    found = []
    for i in range(200):
        p = i / 200
        rows.append(
            {
                "text": TEXT,
                "label": "hate_speech",
                "language": "en",
                "evidence_known": True,
                "evidence": [0, 4, 5, 9],
                "targets_known": True,
                "targets": ["religion"] if p >= 0.7 else [],
            }
        )
        found.append(prediction(targets={"religion": p}))
    policy = fit_from_predictions(rows, found, 0.5)
    assert policy.target_bars["religion"] is not None and policy.target_bars["religion"] > 0.5
    assert policy.target_bars["gender"] == 0.5  # no positives: the default stays
    targets = policy.report["targets"]
    assert targets["after"]["precision"] == 1.0 and targets["before"]["precision"] < 0.8
    en = policy.report["evidence"]["languages"]["en"]
    assert en["own_policy"] and en["fitted_f1"] == 1.0
    assert policy.evidence_for("en").spans(TEXT, found[0])[-1].text == "bbbb"
