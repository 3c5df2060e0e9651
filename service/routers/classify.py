"""POST /classify and POST /classify/batch: labels, signals and the Rabat six-part assessment."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from service.errors import ApiError
from service.handling import analyze, check_length, require_json, summarise
from service.runtime import RuntimeDep
from service.schemas import (
    ERROR_RESPONSES,
    BatchRequest,
    BatchResponse,
    ClassifyRequest,
    ClassifyResponse,
)
from service.security import require_api_key

logger = logging.getLogger(__name__)


router = APIRouter(
    tags=["classify"],
    dependencies=[Depends(require_api_key), Depends(require_json)],
    responses=ERROR_RESPONSES,
)


@router.post("/classify", response_model=ClassifyResponse, summary="Classify one text")
async def classify(body: ClassifyRequest, request: Request, runtime: RuntimeDep) -> JSONResponse:
    """The label, its probabilities, the signals with evidence, and the six-part Rabat
    assessment of one text; pass `context` to let the context-borne factors be assessed."""
    check_length(body.text, runtime.settings.max_text_chars, "text")
    (analysis,), served = await analyze(runtime, [body])
    result = analysis.to_dict(target_bar=served.analyzer.target_bar)
    request_id = request.state.request_id
    summarise(request, runtime, [body], [analysis])
    version = result.pop("model_version", served.version)  # routed: the model that made it
    return JSONResponse({**result, "model_version": version, "request_id": request_id})


@router.post("/classify/batch", response_model=BatchResponse, summary="Classify several texts")
async def classify_batch(body: BatchRequest, request: Request, runtime: RuntimeDep) -> JSONResponse:
    """`{"items": [{"text": ..., "context": ...}, ...]}` -> `{"results": [...]}` in input order."""
    limit = runtime.settings.max_batch_items
    if len(body.items) > limit:
        raise ApiError(
            422,
            "too_many_items",
            f"items has {len(body.items)} entries; the limit is {limit} "
            "(RABAT_MAX_BATCH_ITEMS): split them over several requests",
            "items",
        )
    for i, item in enumerate(body.items):
        check_length(item.text, runtime.settings.max_text_chars, f"items[{i}].text")
    analyses, served = await analyze(runtime, body.items)
    bar = served.analyzer.target_bar
    summarise(request, runtime, body.items, analyses)
    return JSONResponse(
        {
            "results": [a.to_dict(target_bar=bar) for a in analyses],
            "model_version": served.version,
            "request_id": request.state.request_id,
        }
    )
