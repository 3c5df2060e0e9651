"""GET /health (the process is alive), GET /ready (the model is loaded), GET /model."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from service.runtime import RuntimeDep
from service.schemas import ERROR_RESPONSES
from service.security import require_api_key

router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is alive")
async def health() -> dict[str, str]:
    """200 whenever the process answers; open even when API keys are set."""
    return {"status": "ok"}


@router.get("/ready", summary="The model is loaded", responses={503: ERROR_RESPONSES[503]})
async def ready(runtime: RuntimeDep) -> dict[str, str]:
    """200 once the model is loaded and the batcher runs, 503 before and while stopping."""
    return {"status": "ready", "model_version": runtime.model_version}


@router.get(
    "/model",
    summary="The model being served",
    dependencies=[Depends(require_api_key)],
    responses=ERROR_RESPONSES,
)
async def model(runtime: RuntimeDep, request: Request) -> dict[str, Any]:
    """Version, labels, target groups, training metrics and data summary, policy and limits;
    with RABAT_FOLLOW_MODEL, which path is followed and whether its model was swapped in."""
    follower = getattr(request.app.state, "follower", None)
    if follower is None:
        return runtime.card
    return {**runtime.card, "follow": follower.to_dict()}
