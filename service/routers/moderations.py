"""OpenAI's moderation endpoint, served by Rabat: POST /v1/moderations.

Same auth, limits, batcher and model as /classify/batch; errors in OpenAI's shape
(service/error_formats.py); what each category means: rabat/attributes/moderation.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from service.error_formats import OPENAI_RESPONSES
from service.errors import ApiError
from service.handling import analyze, check_length, require_json, summarise
from service.moderation import ModerationRequest, moderation_response
from service.runtime import RuntimeDep
from service.schemas import ClassifyRequest
from service.security import require_api_key
from service.text import with_content

router = APIRouter(
    tags=["drop-in: OpenAI moderation"],
    dependencies=[Depends(require_api_key), Depends(require_json)],
    responses=OPENAI_RESPONSES,
)


@router.post("/v1/moderations", summary="OpenAI's moderations")
async def moderations(
    body: ModerationRequest, request: Request, runtime: RuntimeDep
) -> JSONResponse:
    """Harassment, hate, their threatening forms and violence as calibrated probabilities;
    the categories Rabat does not model (sexual, self-harm, illicit, graphic violence) read 0
    with no applied input type. Rabat's own answer rides along in each result's `rabat`."""
    texts = body.texts()
    limit = runtime.settings.max_batch_items
    if not texts or len(texts) > limit:
        raise ApiError(
            422, "too_many_items" if texts else "missing_field",
            f"input holds {len(texts)} texts; send 1 to {limit} (RABAT_MAX_BATCH_ITEMS)", "input",
        )  # fmt: skip
    for i, text in enumerate(texts):
        field = "input" if isinstance(body.input, str) else f"input[{i}]"
        try:
            with_content(text, field)
        except ValueError as err:
            raise ApiError(422, "invalid_field", str(err), field) from None
        check_length(text, runtime.settings.max_text_chars, field)
    items = [ClassifyRequest(text=text) for text in texts]
    analyses, served = await analyze(runtime, items)
    summarise(request, runtime, items, analyses)
    calibrated = served.analyzer.attributes_calibrated
    answer = moderation_response(analyses, served.version, calibrated, served.analyzer.target_bar)
    return JSONResponse(answer)
