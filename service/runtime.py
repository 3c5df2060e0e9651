"""What the app holds while it runs (the analyzer, the batcher, the model card) and the lifespan
that builds it once at start-up and takes it down at shutdown.

Start-up fails with a `StartupError` that says how to fix it (a missing model: `make train`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, Request

from service.batcher import Batcher
from service.errors import ApiError
from service.model_card import read_model_card
from service.settings import Settings
from service.telemetry import ServiceMetrics

if TYPE_CHECKING:  # rabat.analysis imports torch: load it in the lifespan, not at import
    from rabat.analysis import Analysis, Analyzer

logger = logging.getLogger(__name__)

WARM_UP_TEXT = "have a nice day"


class StartupError(RuntimeError):
    """The service cannot start; the message says what to fix."""


@dataclass
class Runtime:
    settings: Settings
    analyzer: Analyzer
    batcher: Batcher[Analysis]
    card: dict[str, Any]
    metrics: ServiceMetrics

    @property
    def model_version(self) -> str:
        return str(self.card["version"])


def get_runtime(request: Request) -> Runtime:
    """A dependency: the runtime, or 503 while the model loads or the service stops."""
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


def load_analyzer(settings: Settings) -> Analyzer:
    """The Analyzer for the settings' model and policy, or a StartupError saying how to fix."""
    from rabat.analysis import Analyzer
    from rabat.classifier import Classifier
    from rabat.onnx_backend import OnnxClassifier
    from rabat.policy import load_policy

    if not (settings.model_dir / "rabat_model.json").is_file():
        raise StartupError(
            f"no Rabat model at {settings.model_dir} (RABAT_MODEL_DIR): train one with "
            "`make train`, or set RABAT_MODEL_DIR to a directory training wrote "
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
        if settings.backend == "torch":
            return Analyzer(
                Classifier.load(settings.model_dir, batch_size=settings.model_batch_size),
                policy,
                attributions=settings.attributions,
            )
        predictor = OnnxClassifier.load(
            settings.model_dir,
            quantized=settings.backend == "onnx-int8",
            threads=settings.resolved_torch_threads,
            batch_size=settings.model_batch_size,
        )
        explainer = (
            Classifier.load(settings.model_dir, batch_size=settings.model_batch_size)
            if settings.attributions
            else None
        )
        return Analyzer(predictor, policy, attributions=settings.attributions, explainer=explainer)
    except (OSError, ValueError) as err:
        raise StartupError(
            f"cannot load the model at {settings.model_dir} (RABAT_MODEL_DIR, "
            f"RABAT_BACKEND={settings.backend}): {err}"
        ) from None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model and start the batcher; on shutdown, drain and stop."""
    settings: Settings = app.state.settings
    metrics: ServiceMetrics = app.state.metrics
    injected: Analyzer | None = app.state.injected_analyzer
    try:
        analyzer = (
            injected if injected is not None else await asyncio.to_thread(load_analyzer, settings)
        )
    except StartupError as err:
        logger.error("cannot start: %s", err)
        raise
    batcher = _start_batcher(analyzer, settings, metrics)
    try:
        await _warm_up(batcher, analyzer)
        runtime = Runtime(
            settings,
            analyzer,
            batcher,
            read_model_card(analyzer.classifier.meta, settings),
            metrics,
        )
        metrics.model.info(
            {"version": runtime.model_version, "base_model": str(runtime.card["base_model"])}
        )
        metrics.pending.set_function(lambda: batcher.pending)
        metrics.ready.set(1)
        app.state.runtime = runtime
        logger.info(
            "serving model %s (%s threads, batches of up to %d, auth %s)",
            runtime.model_version,
            settings.resolved_torch_threads,
            settings.batch_max_size,
            "on" if settings.auth_enabled else "off",
        )
        yield
    finally:
        app.state.runtime = None
        metrics.ready.set(0)
        await batcher.stop()
        logger.info("stopped")


def _start_batcher(
    analyzer: Analyzer, settings: Settings, metrics: ServiceMetrics
) -> Batcher[Analysis]:
    threads = settings.resolved_torch_threads

    def set_threads() -> None:  # in the worker thread itself: torch's pool size is per thread
        import torch

        torch.set_num_threads(threads)

    def analyze(texts: list[str], requests: list[Any]) -> Sequence[Analysis]:
        contexts = [request.context for request in requests]
        return analyzer.analyze(texts, contexts, [request.explain for request in requests])

    batcher: Batcher[Analysis] = Batcher(
        analyze,
        max_size=settings.batch_max_size,
        max_wait_s=settings.batch_max_wait_ms / 1000,
        max_pending=settings.queue_max_items,
        observe=metrics.observe_batch,
        thread_initializer=set_threads,
    )
    batcher.start()
    return batcher


async def _warm_up(batcher: Batcher[Analysis], analyzer: Analyzer) -> None:
    """One call before the first request (lazy initialisation), and a check the model works."""
    try:
        await batcher.in_worker(analyzer.analyze, [WARM_UP_TEXT], [None])
    except Exception as err:
        raise StartupError(
            f"the model failed on a warm-up text: {type(err).__name__}: {err}"
        ) from err
