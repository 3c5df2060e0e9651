"""The finished model's corrections, chosen on dev: the prior correction (a bias on the label
logits, training/priors.py) and the hateful labels' shift per language
(rabat.model.language_shift)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

import numpy as np

from rabat.labels import LABELS
from training import priors
from training.batching import LABEL_INDEX
from training.config import TrainConfig
from training.dataset import BuiltData
from training.losses import class_weights

logger = logging.getLogger(__name__)


def calibrate(
    config: TrainConfig, data: BuiltData, dev_probs: np.ndarray, metrics: dict[str, Any]
) -> np.ndarray:
    """The label bias of the prior correction (zeros when turned off), recorded in `metrics`."""
    if not config.train.prior_correction:
        return np.zeros(len(LABELS))
    ratio = priors.log_prior_ratio(
        list(data.splits["train"]["label"]),
        list(data.splits["dev"]["label"]),
        class_weights(
            [LABEL_INDEX[x] for x in data.splits["train"]["label"]],
            config.train.class_weighting,
        ).tolist(),
    )
    correction = priors.choose(dev_probs, list(data.splits["dev"]["label"]), ratio)
    metrics["prior_correction"] = asdict(correction)
    logger.info(
        "prior correction alpha %.1f: dev macro-F1 %.4f -> %.4f",
        correction.alpha,
        correction.dev_macro_f1_before,
        correction.dev_macro_f1_after,
    )
    return np.asarray(correction.bias)


def choose_language_shifts(
    config: TrainConfig, dev: Any, probs: np.ndarray
) -> priors.LanguageShifts:
    """The hateful labels' shift per language (rabat.model.language_shift), chosen on dev after the
    prior correction; none when turned off or dev has one language."""
    if not config.train.language_shift or "language" not in dev:
        return priors.LanguageShifts({}, 0.0, {})
    shifts = priors.choose_language_shifts(probs, list(dev["label"]), list(dev["language"]))
    for code, found in shifts.languages.items():
        if "dev_macro_f1_after" in found:
            logger.info(
                "language shift %s %+.2f: dev macro-F1 %.4f -> %.4f",
                code,
                found["shift"],
                found["dev_macro_f1_before"],
                found["dev_macro_f1_after"],
            )
    if shifts.shifts:
        logger.info("language shift of every other language %+.2f", shifts.other)
    return shifts


def corrected(
    probs: np.ndarray, bias: np.ndarray, shifts: priors.LanguageShifts, frame: Any
) -> np.ndarray:
    """A split's probabilities with the bias and, when chosen, its rows' language shifts."""
    found = priors.apply(probs, bias)
    if shifts.shifts:
        found = priors.apply_language_shifts(found, list(frame["language"]), shifts)
    return found
