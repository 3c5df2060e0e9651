"""The check a new model passes before it serves, whoever brings it (a retraining job, the
followed path): it loads beside the served model, keeps the label list, and answers a few probe
texts with probabilities. A model that fails is not served; the served one stays."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rabat.labels import LABELS
from service.runtime import Runtime, Served

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analysis

# Texts a new model must answer sensibly before it serves (mild on purpose: a smoke test).
PROBE_TEXTS = ("have a nice day", "you are a silly goose", "we must all meet tonight")


class ModelRejected(Exception):
    """The new model failed the check; the message says why."""


async def check_model(runtime: Runtime, model_dir: Path) -> Served:
    """Load `model_dir` beside the served model and check it answers sensibly; ModelRejected
    (the served model untouched) if it does not."""
    try:
        served = await runtime.load(model_dir)
    except Exception as err:  # whatever a broken directory raises, the old model serves on
        raise ModelRejected(f"the new model at {model_dir} does not load: {err}") from err
    labels, expected = served.analyzer.classifier.meta.labels, runtime.card["labels"]
    if list(labels) != list(expected):
        raise ModelRejected(f"the new model's labels {list(labels)} differ from {expected}")
    texts = list(PROBE_TEXTS)
    try:  # in the worker thread, between two batches, like the start-up warm-up
        analyses = await runtime.batcher.in_worker(
            served.analyzer.analyze, texts, [None] * len(texts)
        )
    except Exception as err:
        raise ModelRejected(
            f"the new model failed on the probe texts: {type(err).__name__}: {err}"
        ) from err
    problems = probe_problems(analyses, len(texts))
    if problems:
        raise ModelRejected("the new model's output is unusable: " + "; ".join(problems))
    return served


def probe_problems(analyses: Sequence[Analysis], expected: int) -> list[str]:
    """What is wrong with a model's answers to the probe texts ([] if nothing)."""
    if len(analyses) != expected:
        return [f"{len(analyses)} answers for {expected} probe texts"]
    problems = []
    for i, analysis in enumerate(analyses, 1):
        scores = analysis.prediction.scores
        values = list(scores.values())
        if list(scores) != list(LABELS):
            problems.append(f"probe {i}: scores for {list(scores)}, expected {list(LABELS)}")
        elif not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values):
            problems.append(f"probe {i}: scores {values} are not probabilities")
        elif abs(sum(values) - 1.0) > 1e-3:
            problems.append(f"probe {i}: scores sum to {sum(values):.4f}, not 1")
        elif analysis.prediction.label not in LABELS:
            problems.append(f"probe {i}: unknown label {analysis.prediction.label!r}")
    return problems
