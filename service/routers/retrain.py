"""POST /retrain asks the retraining job for a run; GET /retrain shows the current or last one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from service.label_studio import LabelStudioDep, RetrainerDep, start_retraining
from service.runtime import RuntimeDep
from service.schemas import CONFLICT_RESPONSES, ERROR_RESPONSES, RetrainRequest
from service.security import require_api_key

router = APIRouter(
    tags=["retraining"], dependencies=[Depends(require_api_key)], responses=ERROR_RESPONSES
)


@router.post("/retrain", status_code=202, summary="Start retraining", responses=CONFLICT_RESPONSES)
async def retrain(
    retrainer: RetrainerDep, label_studio: LabelStudioDep, body: RetrainRequest | None = None
) -> dict[str, Any]:
    """Ask the retraining job to pull the reviews (when a Label Studio project is known) and
    train; then check and swap in the new model; 409 with the reason while a job runs, or when
    no job is watching. Poll GET /retrain."""
    job = start_retraining(retrainer, label_studio, "api", body.project if body else None)
    return job.to_dict()


@router.get("/retrain", summary="The current or last retraining job")
async def retrain_status(retrainer: RetrainerDep, runtime: RuntimeDep) -> dict[str, Any]:
    """`state` is idle (no job yet), pulling, training, validating, swapping, done or failed
    (`error` says why; the model in `serving_version` kept serving)."""
    job = retrainer.job.to_dict() if retrainer.job else {"id": None, "state": "idle"}
    return {**job, "serving_version": runtime.model_version}
