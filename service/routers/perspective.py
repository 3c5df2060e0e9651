"""Perspective's `comments:analyze`, served by Rabat: POST /v1alpha1/comments:analyze, and the
discovery document Google's client libraries build their client from.

The key comes as `?key=` (or any way /classify takes one); errors come in Google's shape
(service/error_formats.py); the text goes through the same batcher and model as /classify.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from rabat.attributes.perspective import (
    ATTRIBUTES,
    MAX_COMMENT_BYTES,
    attribute_scores,
    unknown_attribute_message,
)
from rabat.text.language import UNDETERMINED
from service.error_formats import GOOGLE_RESPONSES
from service.errors import ApiError
from service.handling import analyze, check_length, require_json, summarise
from service.perspective import API, VERSION, AnalyzeCommentRequest, discovery_document
from service.runtime import RuntimeDep
from service.schemas import ClassifyRequest
from service.security import require_query_key

router = APIRouter(tags=["drop-in: Perspective"])


@router.post(
    f"/{VERSION}/comments:analyze",
    summary="Perspective's comments:analyze",
    dependencies=[Depends(require_query_key), Depends(require_json)],
    responses=GOOGLE_RESPONSES,
)
async def analyze_comment(
    body: AnalyzeCommentRequest, request: Request, runtime: RuntimeDep
) -> JSONResponse:
    """Scores the comment for the requested attributes (TOXICITY, SEVERE_TOXICITY,
    IDENTITY_ATTACK, INSULT, THREAT) as calibrated probabilities, in Perspective's shape;
    docs/migrating.md maps each attribute to Rabat's labels."""
    requested = _requested(body)
    text = body.comment.text
    if len(text.encode("utf-8", "surrogatepass")) > MAX_COMMENT_BYTES:
        raise ApiError(
            400, "text_too_long", f"Comment text too long: over {MAX_COMMENT_BYTES} bytes of "
            "UTF-8. Split it into parts", "comment.text",
        )  # fmt: skip
    check_length(text, runtime.settings.max_text_chars, "comment.text")
    item = ClassifyRequest(text=text)
    (analysis,), _ = await analyze(runtime, [item])
    summarise(request, runtime, [item], [analysis])
    words = analysis.prediction.words
    scores = attribute_scores(
        text, analysis.attributes, requested, words, bool(body.spanAnnotations)
    )
    detected = [] if analysis.language.code == UNDETERMINED else [analysis.language.code]
    answer: dict[str, object] = {"attributeScores": scores} if scores else {}
    answer |= {"languages": body.languages or detected, "detectedLanguages": detected}
    if body.clientToken is not None:
        answer["clientToken"] = body.clientToken
    return JSONResponse(answer)


def _requested(body: AnalyzeCommentRequest) -> dict[str, float | None]:
    """The attributes to score with their thresholds; Perspective's error for any other one,
    unless dropUnsupportedAttributes asks to leave them out."""
    requested, unknown = {}, []
    for name, params in body.requestedAttributes.items():
        if name in ATTRIBUTES:
            requested[name] = params.scoreThreshold
        else:
            unknown.append(name)
    if unknown and not body.dropUnsupportedAttributes:
        raise ApiError(
            400, "unknown_attribute", unknown_attribute_message(unknown[0]),
            f"requestedAttributes.{unknown[0]}",
        )  # fmt: skip
    if not requested:
        raise ApiError(
            400, "unknown_attribute", f"none of the requested attributes is scored by Rabat: "
            f"ask for one of {', '.join(ATTRIBUTES)}", "requestedAttributes",
        )  # fmt: skip
    return requested


@router.get(
    "/$discovery/rest", summary="Perspective's discovery document", tags=["drop-in: Perspective"]
)
async def discovery(request: Request, version: str = VERSION) -> JSONResponse:
    """What `googleapiclient.discovery.build("commentanalyzer", "v1alpha1",
    discoveryServiceUrl=f"{RABAT}/$discovery/rest?version=v1alpha1", developerKey=KEY)` reads."""
    return _document(request, API, version)


@router.get("/discovery/v1/apis/{api}/{version}/rest", summary="Perspective's discovery document")
async def discovery_v1(request: Request, api: str, version: str) -> JSONResponse:
    """The same document at the discovery service's older path."""
    return _document(request, api, version)


def _document(request: Request, api: str, version: str) -> JSONResponse:
    if (api, version) != (API, VERSION):
        raise ApiError(
            404, "not_found", f"no discovery document for {api} {version}: this service "
            f"serves {API} {VERSION}", "version",
        )  # fmt: skip
    return JSONResponse(discovery_document(str(request.base_url)))
