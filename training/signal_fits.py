"""The fits behind a model's signal policy (rabat.model.signal_policy), as pure functions.

- **Evidence.** A small grid of `EvidencePolicy` parameters, scored by the SemEval-2021 Toxic
  Spans character F1 (`rabat.model.evidence.char_f1`, the metric `python -m evaluation evidence`
  reports) of the evidence as served, averaged over rationale rows: dev rows whose evidence is
  known and whose label is not `none`, as in Toxic Spans, whose posts are all toxic. (A `none`
  row's empty evidence is not an annotator's rationale; the share of `none` rows that get any
  evidence is reported beside the fit.)
- **Target bars.** Per target group, the lowest bar (largest recall) whose dev precision reaches
  `PRECISION_AIM` with at least `MIN_DETECTIONS` detections; `None` when no bar does.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from rabat.labels import Label
from rabat.model.evidence import EvidencePolicy, char_f1, characters
from rabat.model.prediction import Prediction

RELATIVE = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TOP_K = (1, 2, 3, 4, 5, 6, 8, 12)
FLOOR_SCORE = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
NONE_BAR = (0.1, 0.2, 0.3, 0.5, 0.7)
PRECISION_AIM = 0.80
MIN_DETECTIONS = 10  # fewer detections than this at a bar say too little about its precision
MIN_POSITIVES = 20  # a group with fewer known positives keeps the default bar


@dataclass(frozen=True)
class RationaleRow:
    """One dev text with its prediction as served and the characters people marked."""

    text: str
    prediction: Prediction
    gold: frozenset[int]


def served_f1(rows: Sequence[RationaleRow], policy: EvidencePolicy) -> float:
    """The mean character F1 of `policy`'s evidence over `rows` (0 for no rows)."""
    if not rows:
        return 0.0
    found = [char_f1(characters(policy.spans(r.text, r.prediction)), set(r.gold)) for r in rows]
    return float(np.mean(found))


def shown_share(rows: Sequence[tuple[str, Prediction]], policy: EvidencePolicy) -> float:
    """The share of texts that get any evidence under `policy` (reported on `none` rows)."""
    if not rows:
        return 0.0
    return float(np.mean([bool(policy.spans(text, found)) for text, found in rows]))


def fit_evidence(rows: Sequence[RationaleRow]) -> tuple[EvidencePolicy, float]:
    """The grid's policy of highest mean character F1 on `rows`, and that F1.

    Whether a text gets evidence at all depends only on `floor_score` and `none_bar`, which
    words it gets only on `relative` and `top_k`; so each row's F1 is computed once per
    (relative, top_k) by the served code and gated per (floor_score, none_bar)."""
    if not rows:
        raise ValueError("no rationale rows to fit the evidence policy on: pass at least one")
    always = EvidencePolicy(floor_score=0.0, none_bar=0.0)
    shapes = list(itertools.product(RELATIVE, TOP_K))
    f1 = np.array(
        [
            [
                char_f1(
                    characters(replace(always, relative=r, top_k=k).spans(x.text, x.prediction)),
                    set(x.gold),
                )
                for x in rows
            ]
            for r, k in shapes
        ]
    )
    empty = np.array([0.0 if x.gold else 1.0 for x in rows])  # what showing nothing scores
    best = np.array([max((w[2] for w in x.prediction.words), default=-1.0) for x in rows])
    labelled = np.array([x.prediction.label != Label.NONE.value for x in rows])
    others = np.array([1.0 - x.prediction.scores[Label.NONE.value] for x in rows])
    chosen, top = EvidencePolicy(), -1.0
    for floor, none_bar in itertools.product(FLOOR_SCORE, NONE_BAR):
        shown = (labelled | (others >= none_bar)) & (best >= floor)
        means = np.where(shown, f1, empty).mean(axis=1)
        i = int(np.argmax(means))  # ties: the first in grid order
        if means[i] > top + 1e-12:
            r, k = shapes[i]
            chosen = EvidencePolicy(relative=r, floor_score=floor, top_k=k, none_bar=none_bar)
            top = float(means[i])
    return chosen, top


@dataclass(frozen=True)
class BarChoice:
    """One group's chosen bar (None: none reaches the aim) and its dev figures there."""

    bar: float | None
    precision: float
    recall: float
    detections: int
    positives: int
    reason: str


def choose_bar(
    probs: np.ndarray, truth: np.ndarray, default_bar: float, aim: float = PRECISION_AIM
) -> BarChoice:
    """The bar of largest recall whose precision reaches `aim` (ties: higher precision)."""
    positives = int(truth.sum())
    if positives < MIN_POSITIVES:
        p, r, n = precision_recall(probs, truth, default_bar)
        return BarChoice(default_bar, p, r, n, positives, f"under {MIN_POSITIVES} positives")
    order = np.argsort(-probs, kind="stable")
    ranked, hits = probs[order], np.cumsum(truth[order])
    best: BarChoice | None = None
    for i in range(len(ranked)):
        if i + 1 < len(ranked) and ranked[i + 1] == ranked[i]:
            continue  # a bar takes every text tied at it
        count, precision = i + 1, float(hits[i]) / (i + 1)
        if count < MIN_DETECTIONS or precision < aim:
            continue
        recall = float(hits[i]) / positives
        if best is None or (recall, precision) > (best.recall, best.precision):
            best = BarChoice(float(ranked[i]), precision, recall, count, positives, "chosen")
    if best is None:
        p, r, n = precision_recall(probs, truth, default_bar)
        return BarChoice(None, p, r, n, positives, f"no bar reaches precision {aim}")
    return best


def precision_recall(
    probs: np.ndarray, truth: np.ndarray, bar: float | None
) -> tuple[float, float, int]:
    """(precision, recall, detections) of `probs >= bar` (None: nothing detected)."""
    detected = np.zeros_like(truth) if bar is None else probs >= bar
    count, hit = int(detected.sum()), int((detected & truth).sum())
    return (hit / count if count else 0.0), (hit / max(int(truth.sum()), 1)), count
