"""How the finished model's scores become labels, chosen after the prior correction: the
operating point per language (training/operating_point.py) or, when it is turned off, the
language shifts (rabat.model.language_shift). Both are chosen on dev and the gate's functional
suites, and the suites are read once: the gate scores the same predictions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from rabat.labels import LABELS
from rabat.model import language_shift, operating_point
from rabat.model.meta import ModelMeta
from rabat.model.prediction import Prediction
from rabat.text.language import detect_batch
from training import operating_point as choosing
from training import priors
from training.config import TrainConfig
from training.config_sections import GateConfig
from training.correction import choose_language_shifts
from training.dataset import BuiltData
from training.functional.suite import Case
from training.gate import suite_cases
from training.metrics import argmax_labels

if TYPE_CHECKING:  # torch loads only where a model is trained
    from rabat.model.torch_backend import Classifier


@dataclass(frozen=True)
class Decision:
    """The meta that decides (shifts or operating point), the suites' cases, and a labeller for
    their texts that reuses the predictions made while choosing."""

    meta: ModelMeta
    cases: dict[str, list[Case]]
    predict: Callable[[list[str]], Sequence[str]]

    def labels(self, probs: np.ndarray, languages: Sequence[str]) -> list[str]:
        """Labels of dev or test rows (corrected probabilities) by each row's language."""
        point = self.meta.operating_point
        if point is not None:
            return choosing.decide_labels(point, probs, languages)
        shifts = priors.LanguageShifts(self.meta.language_shift, self.meta.language_shift_other, {})
        if shifts.shifts:
            probs = priors.apply_language_shifts(probs, languages, shifts)
        return argmax_labels(probs)


def choose_decision(
    config: TrainConfig,
    data: BuiltData,
    classifier: Classifier,
    dev_probs: np.ndarray,
    metrics: dict[str, Any],
) -> Decision:
    """Score the gate's suites with `classifier` (prior correction folded in, nothing else) and
    choose on them and on dev; record the choice in `metrics`."""
    cases = suite_cases(config)
    texts = sorted({case.text for found in cases.values() for case in found})
    found = dict(zip(texts, classifier.predict(texts), strict=True))
    dev = data.splits["dev"]
    languages = list(dev["language"]) if "language" in dev else ["en"] * len(dev)
    meta = classifier.meta
    if config.train.operating_point:
        point, report = choosing.choose(
            dev_probs, list(dev["label"]), languages, suite_scores(cases, found, config.gate)
        )
        meta = replace(meta, operating_point=point, language_shift={}, language_shift_other=0.0)
        metrics["operating_point"] = {**point.to_json(), "chosen": report}
    else:
        shifts = choose_language_shifts(config, dev, dev_probs)
        meta = replace(meta, language_shift=shifts.shifts, language_shift_other=shifts.other)
        if shifts.shifts:
            metrics["language_shift"] = asdict(shifts)
    return Decision(meta, cases, labeller(meta, found))


def suite_scores(
    cases: dict[str, list[Case]], found: dict[str, Prediction], gate: GateConfig | None = None
) -> dict[str, choosing.SuiteScores]:
    """Each language's suite as scored: the predictions' probabilities, expectations, categories,
    each case's language as served (detected, as `labeller` decides it), and the floors `gate`
    holds it to (English by category, the others overall)."""
    return {
        code: choosing.SuiteScores(
            np.array([[found[c.text].scores[label] for label in LABELS] for c in rows]),
            [c.expect for c in rows],
            [c.category for c in rows],
            served=[d.code for d in detect_batch([c.text for c in rows])],
            **floors(gate, code),
        )
        for code, rows in cases.items()
    }


def floors(gate: GateConfig | None, code: str) -> dict[str, Any]:
    """The gate's floors for one language's suite, as SuiteScores takes them."""
    if gate is None:
        return {}
    if code == "en":
        return {"floors": gate.floors, "default_floor": gate.default_floor}
    return {"overall_floor": gate.language_floor}


def labeller(meta: ModelMeta, found: dict[str, Prediction]) -> Callable[[list[str]], list[str]]:
    """Labels for suite texts as the served model decides them: each text's language detected,
    then its shift and operating point, from the predictions already made."""

    def predict(texts: list[str]) -> list[str]:
        codes = [f.code for f in detect_batch(texts)]
        shifted = language_shift.apply(meta, texts, [found[t] for t in texts], codes)
        return [p.label for p in operating_point.apply(meta.operating_point, shifted, codes)]

    return predict
