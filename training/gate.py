"""The publish gate: the functional suite scored on the finished model, each category against
its floor (training/functional; the floors are the config's `gate`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rabat.model.torch_backend import Classifier
from training.config import TrainConfig
from training.functional import suite
from training.functional.suite import build_cases
from training.inference import probabilities

logger = logging.getLogger(__name__)


class GateRefused(RuntimeError):
    """The functional suite found categories under their floors: `latest` was not moved."""

    def __init__(self, model_dir: Path, below: dict[str, tuple[float, float]]) -> None:
        self.model_dir, self.below = model_dir, below
        shortfalls = ", ".join(f"{n} {acc:.3f} < {floor:.2f}" for n, (acc, floor) in below.items())
        super().__init__(
            f"the publish gate refused {model_dir}: functional-suite categories under their "
            f"floor: {shortfalls}. `latest` still points at the model it pointed at; the new "
            "model is written beside it (metrics.json, `functional`) for inspection. Lower a floor "
            "in the config's `gate` only if you accept that weakness."
        )


def gate(config: TrainConfig, classifier: Classifier, metrics: dict[str, Any]) -> dict[str, Any]:
    """Score the functional suite into `metrics` and return the categories under their floors
    (empty: publish)."""
    if not config.gate.run_suite:
        return {}
    cases = build_cases(config.resolved_data_dir(), config.gate.lexicon)
    result = suite.score(cases, lambda texts: probabilities(classifier, texts))
    below = suite.below_floors(result, config.gate.floors, config.gate.default_floor)
    metrics["functional"] = result
    metrics["gate"] = {
        "floors": config.gate.floors,
        "default_floor": config.gate.default_floor,
        "passed": not below,
        "below": {name: {"accuracy": a, "floor": f} for name, (a, f) in below.items()},
    }
    logger.info(
        "functional suite: %.3f overall over %d cases, worst %s %.3f; gate %s",
        result["overall"],
        result["cases"],
        result["worst"],
        result["categories"][result["worst"]]["accuracy"],
        "passed" if not below else f"refused ({', '.join(below)})",
    )
    return below
