"""POST /classify and POST /classify/batch: labels, signals and the Rabat six-part assessment."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from service.batcher import BatcherClosed, BatchFailed, QueueFull
from service.errors import ApiError
from service.runtime import Runtime, RuntimeDep
from service.schemas import (
    ERROR_RESPONSES,
    BatchRequest,
    BatchResponse,
    ClassifyRequest,
    ClassifyResponse,
)
from service.security import require_api_key

if TYPE_CHECKING:
    from rabat.analysis import Analysis

logger = logging.getLogger(__name__)


def require_json(request: Request) -> None:
    """A dependency: the body must be declared as JSON (415 otherwise)."""
    declared = request.headers.get("content-type", "")
    mime = declared.split(";")[0].strip().lower()
    if mime != "application/json" and not (
        mime.startswith("application/") and mime.endswith("+json")
    ):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"the body must be JSON sent with Content-Type: application/json; "
            f"found {declared or 'no Content-Type'}",
            "body",
        )


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
    (analysis,) = await analyze(runtime, [body])
    result = analysis.to_dict(target_bar=runtime.analyzer.target_bar)
    request_id = request.state.request_id
    summarise(request, runtime, [body], [analysis])
    return JSONResponse(
        {**result, "model_version": runtime.model_version, "request_id": request_id}
    )


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
    analyses = await analyze(runtime, body.items)
    bar = runtime.analyzer.target_bar
    summarise(request, runtime, body.items, analyses)
    return JSONResponse(
        {
            "results": [a.to_dict(target_bar=bar) for a in analyses],
            "model_version": runtime.model_version,
            "request_id": request.state.request_id,
        }
    )


def check_length(text: str, limit: int, field: str) -> None:
    if len(text) > limit:
        raise ApiError(
            422,
            "text_too_long",
            f"{field} has {len(text)} characters; the limit is {limit} "
            "(RABAT_MAX_TEXT_CHARS): shorten the text or split it into parts",
            field,
        )


async def analyze(runtime: Runtime, items: Sequence[ClassifyRequest]) -> list[Analysis]:
    """The items through the shared batcher; its failures become 503s that say what to do."""
    texts = [item.text for item in items]
    contexts = list(items)  # the batcher hands each request's context and options to the runtime
    timeout = runtime.settings.request_timeout_s
    retry = {"Retry-After": "1"}
    try:
        return await asyncio.wait_for(runtime.batcher.submit(texts, contexts), timeout)
    except QueueFull as err:
        raise ApiError(
            503, "overloaded", f"the service is busy: {err}; retry shortly", None, retry
        ) from None
    except BatchFailed as err:
        message = f"{err}; it was logged. Retry, and report the request id if it persists"
        raise ApiError(503, "analysis_failed", message, None, retry) from None
    except BatcherClosed:
        raise ApiError(
            503, "not_ready", "the service is shutting down: retry shortly", None, retry
        ) from None
    except TimeoutError:
        message = (
            f"the analysis took longer than {timeout} s (RABAT_REQUEST_TIMEOUT_S): "
            "retry, or send fewer texts per request"
        )
        raise ApiError(503, "timeout", message, None, retry) from None


def summarise(
    request: Request, runtime: Runtime, items: Sequence[ClassifyRequest], analyses: list[Analysis]
) -> None:
    """Count the labels and leave a log summary for the access line (text only if allowed)."""
    labels = [a.prediction.label for a in analyses]
    runtime.metrics.count_labels(labels)
    summary: dict[str, Any] = {
        "items": len(items),
        "chars": ",".join(str(len(item.text)) for item in items),
        "labels": ",".join(labels),
    }
    if runtime.settings.log_text:
        summary["texts"] = [item.text for item in items]
    request.state.summary = " ".join(f"{key}={value}" for key, value in summary.items())
