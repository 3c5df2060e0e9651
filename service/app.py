"""The app factory: `create_app()` wires settings, middleware, error handlers and routers; the
model loads in the lifespan (service/lifespan.py).

    uvicorn service.app:create_app --factory      # or: python -m service
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

import rabat
from service.docs_page import install_docs
from service.errors import install_error_handlers
from service.label_studio import LabelStudioState
from service.lifespan import lifespan
from service.middleware import REQUEST_ID_HEADER, BodyLimitMiddleware, RequestContextMiddleware
from service.routers import (
    classify,
    health,
    label_studio,
    metrics,
    moderations,
    perspective,
    retrain,
)
from service.settings import Settings, load_settings
from service.telemetry import ServiceMetrics

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analyzer
    from rabat.assessment.routing import RoutedAnalyzer

DESCRIPTION = """Labels text `none`, `offensive`, `hate_speech` or `incitement` (the UN Strategy
on Hate Speech's levels) and structures the explanation by the Rabat Plan of Action's six-part
threshold test. Errors have one shape: `{"error": {"code", "message", "field", "request_id"}}`."""


def create_app(
    settings: Settings | None = None, analyzer: Analyzer | RoutedAnalyzer | None = None
) -> FastAPI:
    """A new app. `settings` default to the environment (RABAT_*); `analyzer`, already loaded
    from `settings.model_dir` (`python -m service` does, to fail in one line) or made by a
    test, replaces loading it in the lifespan."""
    settings = settings or load_settings()
    app = FastAPI(
        title="Rabat",
        version=rabat.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs is served by install_docs, from the service's own assets
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.injected_analyzer = analyzer
    app.state.runtime = app.state.retrainer = app.state.follower = None
    app.state.label_studio = LabelStudioState(settings)
    app.state.metrics = ServiceMetrics()
    install_error_handlers(app)
    install_docs(app)
    # Added innermost first: the request id wraps the body limit, so a 413 carries the id.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization", "X-API-Key", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER],
        )
    app.include_router(health.router)
    app.include_router(classify.router)
    app.include_router(perspective.router)
    app.include_router(moderations.router)
    app.include_router(metrics.router)
    app.include_router(label_studio.router)
    app.include_router(retrain.router)
    return app
