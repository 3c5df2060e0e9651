"""The app's lifespan: load the model and start the batcher at start-up, with the retrainer (which
asks the retraining job for runs) and the follower (which swaps in what a followed path comes to
name); stop them, drain and stop at shutdown.

Start-up fails with a `StartupError` that says how to fix it (a missing model: `make train`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from service.follow import Follower
from service.retraining import Retrainer
from service.runtime import Runtime, Served, StartupError, load_analyzer, model_card
from service.settings import Settings
from service.telemetry import ServiceMetrics

if TYPE_CHECKING:  # rabat.assessment.analysis imports torch: load it in the lifespan, not at import
    from rabat.assessment.analysis import Analyzer
    from rabat.assessment.routing import RoutedAnalyzer

logger = logging.getLogger(__name__)

WARM_UP_TEXT = "have a nice day"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model and start the batcher; on shutdown, stop retraining, drain and stop."""
    settings: Settings = app.state.settings
    metrics: ServiceMetrics = app.state.metrics
    injected: Analyzer | RoutedAnalyzer | None = app.state.injected_analyzer
    try:
        analyzer = (
            injected if injected is not None else await asyncio.to_thread(load_analyzer, settings)
        )
    except StartupError as err:
        logger.error("cannot start: %s", err)
        raise
    card = model_card(analyzer, settings)
    runtime = Runtime(settings, metrics, Served(analyzer, card, settings.model_dir.resolve()))
    runtime.batcher.start()
    retrainer = Retrainer(runtime)
    follower = None
    try:
        await _warm_up(runtime)
        metrics.show_model(runtime.card)
        metrics.pending.set_function(lambda: runtime.batcher.pending)
        metrics.ready.set(1)
        app.state.runtime, app.state.retrainer = runtime, retrainer
        if settings.follow_model is not None:
            follower = Follower(
                runtime, retrainer, settings.follow_model, settings.follow_interval_s
            )
            follower.start()
        app.state.follower = follower
        logger.info(
            "serving model %s (%s threads, batches of up to %d, auth %s)",
            runtime.model_version,
            settings.resolved_torch_threads,
            settings.batch_max_size,
            "on" if settings.auth_enabled else "off",
        )
        yield
    finally:
        app.state.runtime = app.state.retrainer = app.state.follower = None
        metrics.ready.set(0)
        if follower is not None:
            await follower.close()
        await retrainer.close()
        await runtime.batcher.stop()
        logger.info("stopped")


async def _warm_up(runtime: Runtime) -> None:
    """One call before the first request (lazy initialisation), and a check the model works."""
    try:
        await runtime.batcher.in_worker(runtime.analyzer.analyze, [WARM_UP_TEXT], [None])
    except Exception as err:
        raise StartupError(
            f"the model failed on a warm-up text: {type(err).__name__}: {err}"
        ) from err
