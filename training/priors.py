"""Prior correction of the label head: undo part of what caps and class weights did to the priors.

Training sees a reshaped label distribution (capped `none`, up-weighted `incitement`), which buys
recall on rare labels at the cost of precision on real traffic. Adding `alpha * log(natural /
effective training prior)` to the logits moves the decision back towards the natural
distribution; `alpha` (0 = unchanged, 1 = full Bayes correction) is chosen on dev macro-F1 and
folded into the head's bias, so the saved model, the Hugging Face pipeline and `Classifier`
all apply it. Test metrics, untouched by the choice, tell whether it generalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score

from rabat.labels import HATEFUL, LABELS
from rabat.model.language_shift import shift_for

ALPHAS = tuple(round(a, 1) for a in np.linspace(0.0, 1.0, 11))


@dataclass(frozen=True)
class PriorCorrection:
    alpha: float
    bias: tuple[float, ...]  # added to the logits, in LABELS order
    dev_macro_f1_before: float
    dev_macro_f1_after: float


def log_prior_ratio(
    train_labels: Sequence[str], natural_labels: Sequence[str], class_weights: Sequence[float]
) -> np.ndarray:
    """log(natural prior) - log(effective training prior, counts times class weights)."""
    train = _counts(train_labels) * np.asarray(class_weights, dtype=float)
    natural = _counts(natural_labels)
    return np.log(natural / natural.sum()) - np.log(train / train.sum())


def choose(probs: np.ndarray, gold: Sequence[str], ratio: np.ndarray) -> PriorCorrection:
    """The alpha in ALPHAS with the best macro-F1 on (`probs`, `gold`); ties to the smaller."""
    y = np.array([LABELS.index(label) for label in gold])
    scores = {a: _macro_f1(y, apply(probs, a * ratio)) for a in ALPHAS}
    best = max(ALPHAS, key=lambda a: (scores[a], -a))
    return PriorCorrection(
        alpha=best,
        bias=tuple(float(b) for b in best * ratio),
        dev_macro_f1_before=scores[0.0],
        dev_macro_f1_after=scores[best],
    )


def apply(probs: np.ndarray, bias: np.ndarray | Sequence[float]) -> np.ndarray:
    """Probabilities after adding `bias` to the logits (softmax is shift-invariant)."""
    logits = np.log(np.clip(probs, 1e-12, 1.0)) + np.asarray(bias, dtype=float)
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def _counts(labels: Sequence[str]) -> np.ndarray:
    counts = np.array([sum(1 for x in labels if x == label) for label in LABELS], dtype=float)
    return np.clip(counts, 1.0, None)


def _macro_f1(y: np.ndarray, probs: np.ndarray) -> float:
    present = sorted(set(y.tolist()))
    return float(f1_score(y, probs.argmax(axis=1), labels=present, average="macro"))


# Shifts tried for each language's hateful labels (rabat.model.language_shift), in log-probability.
SHIFTS = tuple(float(round(s, 2)) for s in np.arange(-1.0, 2.01, 0.25))


@dataclass(frozen=True)
class LanguageShifts:
    """Per-language shifts chosen on dev, the shift for every other language, and each
    language's dev macro-F1 before and after (or why it has no shift of its own)."""

    shifts: dict[str, float]
    other: float
    languages: dict[str, dict[str, float | int | str]]


def choose_language_shifts(
    probs: np.ndarray,
    gold: Sequence[str],
    languages: Sequence[str],
    min_rows: int = 200,
    min_hateful: int = 20,
) -> LanguageShifts:
    """For each language with `min_rows` dev rows, `min_hateful` of them hateful and some not,
    the shift in SHIFTS with the best macro-F1 on its rows (ties to the smaller shift); every
    other language gets the median of those (a typical language). Nothing for one language.

    A language holding more than half of the dev rows keeps 0: the prior correction was chosen
    on those rows already, and fitting its shift again on the same rows moved the multilingual
    model's English functional suite by up to -0.11 across seeds (docs/multilingual.md)."""
    y = np.array([LABELS.index(label) for label in gold])
    codes = np.asarray(languages)
    hateful = np.isin(y, [LABELS.index(label) for label in HATEFUL])
    shifts: dict[str, float] = {}
    report: dict[str, dict[str, float | int | str]] = {}
    if len(set(codes.tolist())) < 2:
        return LanguageShifts({}, 0.0, {})
    majority = None  # the language of most dev rows, if one holds more than half
    for code in sorted(set(codes.tolist())):
        rows = codes == code
        n, hate = int(rows.sum()), int(hateful[rows].sum())
        if 2 * n > len(codes):
            majority = code
            report[code] = {"rows": n, "hateful": hate, "shift": 0.0, "chosen_by": "the prior"}
            continue
        if n < min_rows or hate < min_hateful or hate == n:
            report[code] = {"rows": n, "hateful": hate, "shift": "other"}
            continue
        scores = {s: _macro_f1(y[rows], shift_hateful(probs[rows], s)) for s in SHIFTS}
        best = max(SHIFTS, key=lambda s: (scores[s], -abs(s)))
        shifts[code] = best
        report[code] = {
            "rows": n,
            "hateful": hate,
            "shift": best,
            "dev_macro_f1_before": scores[0.0],
            "dev_macro_f1_after": scores[best],
        }
    other = float(np.median(list(shifts.values()))) if shifts else 0.0
    if majority is not None:
        shifts[majority] = 0.0
    return LanguageShifts(shifts, other, report)


def shift_hateful(probs: np.ndarray, shift: float | np.ndarray) -> np.ndarray:
    """Probabilities with `shift` (one, or one per row) added to the hateful labels' logits."""
    hateful = [LABELS.index(label) for label in HATEFUL]
    bias = np.zeros((len(probs), len(LABELS)))
    bias[:, hateful] = np.reshape(shift, (-1, 1))
    return apply(probs, bias)


def apply_language_shifts(
    probs: np.ndarray, languages: Sequence[str], chosen: LanguageShifts
) -> np.ndarray:
    """`probs` with each row shifted for its language, as prediction does (`und`: none)."""
    per_row = np.array([shift_for(chosen.shifts, chosen.other, code) for code in languages])
    return shift_hateful(probs, per_row)
