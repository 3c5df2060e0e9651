"""What the app holds while it runs: the served model and the batcher that runs it
(service/lifespan.py builds it once at start-up and takes it down at shutdown).

The served model (analyzer and model card together) can be swapped for a retrained one while the
service runs: see `Runtime.swap`.

Start-up fails with a `StartupError` that says how to fix it (a missing model: `make train`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from service.batcher import Batcher
from service.errors import ApiError
from service.model_card import read_model_card
from service.settings import Settings
from service.telemetry import ServiceMetrics

if TYPE_CHECKING:  # rabat.assessment.analysis imports torch: load it in the lifespan, not at import
    from rabat.assessment.analysis import Analysis, Analyzer
    from rabat.assessment.routing import RoutedAnalyzer

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The service cannot start; the message says what to fix."""


@dataclass(frozen=True)
class Served:
    """A loaded model and what the API says about it (GET /model); swapped as one reference,
    so the analyzer, the card and the version always agree."""

    analyzer: Analyzer | RoutedAnalyzer
    card: dict[str, Any]
    model_dir: Path

    @property
    def version(self) -> str:
        return str(self.card["version"])


@dataclass(frozen=True)
class Analysed:
    """One text's analysis and the model that made it."""

    analysis: Analysis
    served: Served


class Runtime:
    """The served model, the batcher that runs it, the settings and the metrics."""

    def __init__(self, settings: Settings, metrics: ServiceMetrics, served: Served) -> None:
        self.settings, self.metrics, self.served = settings, metrics, served
        self.batcher: Batcher[Analysed] = _new_batcher(self._analyze, settings, metrics)

    @property
    def analyzer(self) -> Analyzer | RoutedAnalyzer:
        return self.served.analyzer

    @property
    def card(self) -> dict[str, Any]:
        return self.served.card

    @property
    def model_version(self) -> str:
        return self.served.version

    async def load(self, model_dir: Path) -> Served:
        """Another model directory with these settings, loaded off the event loop and off the
        worker (so serving goes on); a StartupError says why it does not load."""
        settings = self.settings.model_copy(update={"model_dir": model_dir})
        analyzer = await asyncio.to_thread(load_analyzer, settings)
        return Served(analyzer, model_card(analyzer, settings), model_dir)

    async def swap(self, served: Served, on_installed: Callable[[], None] | None = None) -> Served:
        """Serve `served` from the next batch on; returns the model it replaced.

        The swap runs in the worker thread, between two batches: a batch already running
        finishes on the old model (each batch reads the model once, when it starts).
        `on_installed` runs in the same step, so that what a caller reports about the swap
        (GET /model's follow state, a job's state) never lags the model being served."""

        def install() -> Served:
            old, self.served = self.served, served
            if on_installed is not None:
                on_installed()
            return old

        old: Served = await self.batcher.in_worker(install)
        self.metrics.show_model(served.card)
        logger.info(
            "now serving model %s (%s), which replaced %s",
            served.version,
            served.model_dir,
            old.version,
        )
        return old

    def _analyze(self, texts: list[str], requests: list[Any]) -> list[Analysed]:
        served = self.served  # read once: the whole batch runs on one model
        contexts = [request.context for request in requests]
        explain = [request.explain for request in requests]
        return [Analysed(a, served) for a in served.analyzer.analyze(texts, contexts, explain)]


async def get_runtime(request: Request) -> Runtime:
    """A dependency: the runtime, or 503 while the model loads or the service stops. `async`:
    a plain `def` dependency costs every request a hop through a thread pool (measured)."""
    runtime: Runtime | None = request.app.state.runtime
    if runtime is None or not runtime.batcher.running:
        raise ApiError(
            503,
            "not_ready",
            "the model is not loaded (the service is starting or stopping): retry shortly",
            headers={"Retry-After": "1"},
        )
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def load_analyzer(settings: Settings) -> Analyzer | RoutedAnalyzer:
    """The Analyzer for the settings' model and policy (two, routed by language, with
    RABAT_ROUTE_MODEL_DIR), or a StartupError saying how to fix."""
    from rabat.assessment.routing import PRIMARY, load_routed

    def load_one(model_dir: Path, role: str) -> Analyzer:
        variable = "RABAT_MODEL_DIR" if role == PRIMARY else "RABAT_ROUTE_MODEL_DIR"
        return _load_one(settings.model_copy(update={"model_dir": model_dir}), variable)

    try:
        return load_routed(
            load_one, settings.model_dir, settings.route_model_dir, settings.route_languages
        )
    except ValueError as err:
        raise StartupError(f"cannot route between the two models: {err}") from None


def model_card(analyzer: Analyzer | RoutedAnalyzer, settings: Settings) -> dict[str, Any]:
    """GET /model: the model's card; when routing, the primary's with the routed model's card
    under `routing`, and a version naming both."""
    from rabat.assessment.routing import RoutedAnalyzer

    card = read_model_card(analyzer.classifier.meta, settings)
    if not isinstance(analyzer, RoutedAnalyzer) or settings.route_model_dir is None:
        return card
    routed = settings.model_copy(update={"model_dir": settings.route_model_dir})
    other = read_model_card(analyzer.other.classifier.meta, routed)
    card["routing"] = {
        "languages": sorted(analyzer.languages),
        "primary": {"version": card["version"], "model_dir": str(settings.model_dir)},
        "other": {**other, "model_dir": str(settings.route_model_dir)},
    }
    card["version"] = f"{card['version']}+{other['version']}"
    return card


def _load_one(settings: Settings, variable: str) -> Analyzer:
    from rabat.assessment.analysis import Analyzer
    from rabat.assessment.policy import load_policy
    from rabat.attributes.calibration import AttributeScorer
    from rabat.model.loader import load_classifier

    if not (settings.model_dir / "rabat_model.json").is_file():
        raise StartupError(
            f"no Rabat model at {settings.model_dir} ({variable}): train one with "
            f"`make train`, or set {variable} to a directory training wrote "
            "(models/<name>/<version>, or models/<name>/latest)"
        )
    try:
        policy = load_policy(settings.policy_path)
    except (OSError, ValueError) as err:
        raise StartupError(
            f"cannot load the Rabat policy (RABAT_POLICY_PATH={settings.policy_path}): {err}\n"
            "Fix the file, or point RABAT_POLICY_PATH at a valid one (configs/rabat.yaml ships "
            "with Rabat)."
        ) from None
    try:
        predictor = load_classifier(
            settings.model_dir,
            settings.backend,
            threads=settings.resolved_torch_threads,
            batch_size=settings.model_batch_size,
        )
        attributes = AttributeScorer.load(settings.model_dir)
        if not attributes.calibrated:
            logger.warning(
                "the model at %s is not calibrated for every attribute (attributes.json is "
                "missing, or its dev split was too small for some): the Perspective and OpenAI "
                "endpoints answer raw scores for those; `python -m training.attributes "
                "--model-dir %s` calibrates them",
                settings.model_dir,
                settings.model_dir,
            )
        return Analyzer(predictor, policy, evidence=settings.evidence, attributes=attributes)
    except (OSError, ValueError) as err:
        raise StartupError(
            f"cannot load the model at {settings.model_dir} ({variable}, "
            f"RABAT_BACKEND={settings.backend}): {err}"
        ) from None


def _new_batcher(
    analyze: Callable[[list[str], list[Any]], Sequence[Analysed]],
    settings: Settings,
    metrics: ServiceMetrics,
) -> Batcher[Analysed]:
    threads = settings.resolved_torch_threads

    def set_threads() -> None:  # in the worker thread itself: torch's pool size is per thread
        import torch

        torch.set_num_threads(threads)

    return Batcher(
        analyze,
        max_size=settings.batch_max_size,
        max_wait_s=settings.batch_max_wait_ms / 1000,
        max_pending=settings.queue_max_items,
        observe=metrics.observe_batch,
        thread_initializer=set_threads,
    )
