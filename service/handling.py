"""What every endpoint that analyses texts does: check the body is JSON and the texts are within
the limit, then run them through the shared batcher, all on one model, with the batcher's
failures turned into 503s that say what to do."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastapi import Request

from service.batcher import BatcherClosed, BatchFailed, QueueFull
from service.errors import ApiError
from service.runtime import Analysed, Runtime, Served
from service.schemas import ClassifyRequest

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analysis

RETRY = {"Retry-After": "1"}


async def require_json(request: Request) -> None:
    """A dependency: the body must be declared as JSON (415 otherwise); `async`, as above."""
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


def check_length(text: str, limit: int, field: str) -> None:
    if len(text) > limit:
        raise ApiError(
            422,
            "text_too_long",
            f"{field} has {len(text)} characters; the limit is {limit} "
            "(RABAT_MAX_TEXT_CHARS): shorten the text or split it into parts",
            field,
        )


async def analyze(
    runtime: Runtime, items: Sequence[ClassifyRequest]
) -> tuple[list[Analysis], Served]:
    """The items' analyses and the model that made them.

    A request larger than one batch runs in several; if a retrained model was swapped in
    between them, the request runs again so that one answer comes from one model."""
    if not items:
        return [], runtime.served
    for _ in range(2):
        results = await _submit(runtime, items)
        served = results[0].served
        if all(result.served is served for result in results):
            return [result.analysis for result in results], served
    raise ApiError(
        503, "model_changed", "the model was replaced twice during the request: retry", None, RETRY
    )


async def _submit(runtime: Runtime, items: Sequence[ClassifyRequest]) -> list[Analysed]:
    texts = [item.text for item in items]
    requests = list(items)  # the batcher hands each request's context and options to the runtime
    timeout = runtime.settings.request_timeout_s
    try:
        return await asyncio.wait_for(runtime.batcher.submit(texts, requests), timeout)
    except QueueFull as err:
        raise ApiError(
            503, "overloaded", f"the service is busy: {err}; retry shortly", None, RETRY
        ) from None
    except BatchFailed as err:
        message = f"{err}; it was logged. Retry, and report the request id if it persists"
        raise ApiError(503, "analysis_failed", message, None, RETRY) from None
    except BatcherClosed:
        raise ApiError(
            503, "not_ready", "the service is shutting down: retry shortly", None, RETRY
        ) from None
    except TimeoutError:
        message = (
            f"the analysis took longer than {timeout} s (RABAT_REQUEST_TIMEOUT_S): "
            "retry, or send fewer texts per request"
        )
        raise ApiError(503, "timeout", message, None, RETRY) from None


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
