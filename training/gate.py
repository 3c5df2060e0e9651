"""The publish gate: the functional suites scored on the finished model, English category by
category against its floors, every other language's overall accuracy against `language_floor`
(training/functional; the floors are the config's `gate`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from training.config import TrainConfig
from training.config_sections import GateConfig
from training.functional import suite
from training.functional.suite import Case, build_cases

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


def suite_cases(config: TrainConfig) -> dict[str, list[Case]]:
    """The cases of every language the gate scores (none when the suite is off)."""
    if not config.gate.run_suite:
        return {}
    data_dir, lexicon = config.resolved_data_dir(), config.gate.lexicon
    return {
        code: build_cases(data_dir, lexicon if code == "en" else None, language=code)
        for code in config.gate.languages
    }


def gate(
    config: TrainConfig,
    cases: Mapping[str, Sequence[Case]],
    predict: Callable[[list[str]], Sequence[str]],
    metrics: dict[str, Any],
) -> dict[str, tuple[float, float]]:
    """Score each language's suite with `predict` (texts -> labels) into `metrics` and return
    what is under its floor (empty: publish): English categories by name, other languages as
    `suite_<code>`."""
    if not cases:
        return {}
    results = suite.score_languages(cases, predict)
    for code, result in results.items():
        _log(code, result)
    below = record(config.gate, results, metrics)
    logger.info("gate %s", "passed" if not below else f"refused ({', '.join(below)})")
    return below


def record(
    settings: GateConfig, results: dict[str, dict[str, Any]], metrics: dict[str, Any]
) -> dict[str, tuple[float, float]]:
    """What of the scored suites `results` is under the floors of `settings`, recorded with
    them in `metrics` (`functional`, `functional_languages`, `gate`); `training.repoint` calls it
    again when it changes how a model decides."""
    below: dict[str, tuple[float, float]] = {}
    for code, result in results.items():
        if code == "en":
            below |= suite.below_floors(result, settings.floors, settings.default_floor)
        elif (floor := settings.language_floor) is not None and result["overall"] < floor:
            below[f"suite_{code}"] = (result["overall"], floor)
    if "en" in results:
        metrics["functional"] = results["en"]
    metrics["functional_languages"] = results
    metrics["gate"] = {
        "floors": settings.floors,
        "default_floor": settings.default_floor,
        "language_floor": settings.language_floor,
        "languages": list(results),
        "passed": not below,
        "below": {name: {"accuracy": a, "floor": f} for name, (a, f) in below.items()},
    }
    return below


def _log(code: str, result: dict[str, Any]) -> None:
    worst = result["worst"]
    logger.info(
        "functional suite %s: %.3f overall over %d cases, worst %s %.3f",
        code,
        result["overall"],
        result["cases"],
        worst,
        result["categories"][worst]["accuracy"],
    )
