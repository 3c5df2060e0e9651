"""A suite's labels as served while the operating point is chosen (training/served_suites.py)."""

from __future__ import annotations

import numpy as np

from rabat.labels import LABELS
from rabat.model.operating_point import OperatingPoint
from training.served_suites import suite_decider


def row(hateful_mass: float) -> list[float]:
    rest = 1.0 - hateful_mass
    return [rest * 2 / 3, rest / 3, hateful_mass * 0.8, hateful_mass * 0.2]


def test_a_case_served_as_another_language_takes_that_languages_bars() -> None:
    probs = np.array([row(0.4), row(0.4)])
    others = OperatingPoint(0.3, 0.5, {"en": 0.5}, {})
    served = suite_decider(probs, ["en", "und"], "en", others)
    assert [LABELS[i] for i in served(0.5, 0.5)] == ["none", "hate_speech"]
    alone = suite_decider(probs, None, "en", others)
    assert [LABELS[i] for i in alone(0.5, 0.5)] == ["none", "none"]
