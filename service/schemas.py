"""Request and response bodies of the API.

Requests are validated here (a non-empty `text`, a `rabat.assessment.context.Context` that
forbids unknown fields). Size limits come from the settings and are checked in the router. The
response models document the shape of `rabat.assessment.analysis.Analysis.to_dict` for /docs;
responses are built by that method, and a test checks that real responses match these models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rabat.assessment.context import Context
from service.text import with_content

EXAMPLE: dict[str, Any] = {
    "text": "we must all meet tonight",
    "context": {
        "speaker": {"role": "public_figure", "followers": 120000},
        "reach": {"medium": "social_media_post", "public": True},
        "setting": {"election_period": True, "risk_level": "medium"},
    },
}


class ClassifyRequest(BaseModel):
    """One text and, optionally, what the caller knows about its circumstances."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    text: str = Field(
        description="the text to classify; any Unicode (lone surrogates become U+FFFD)"
    )
    context: Context | None = Field(
        None, description="speaker, reach and setting: inputs of the context-borne Rabat factors"
    )
    explain: bool = Field(
        True,
        description="return evidence spans (the words the model's evidence head marks as "
        "carrying the label); false leaves them out. They cost nothing extra to compute",
    )

    @field_validator("text")
    @classmethod
    def _has_content(cls, value: str) -> str:
        return with_content(value, "text")


class BatchRequest(BaseModel):
    """Several texts, answered in input order."""

    model_config = ConfigDict(extra="forbid")

    items: list[ClassifyRequest] = Field(min_length=1)


class RetrainRequest(BaseModel):
    """Optional: the Label Studio project whose reviews the new model learns from."""

    model_config = ConfigDict(extra="forbid")

    project: int | None = Field(
        None,
        ge=1,
        description="pull this Label Studio project's reviews first (default: the project "
        "last connected through /setup; none connected: train without pulling)",
    )


class SpanOut(BaseModel):
    start: int = Field(description="offset of the first character (Unicode code points)")
    end: int = Field(description="offset after the last character; text[start:end] == text")
    text: str
    kind: str = Field(description="evidence, call_to_action or time_marker")
    weight: float = Field(
        description="evidence: the evidence head's probability that the word carries the label; "
        "markers: 1"
    )


class FactorOut(BaseModel):
    level: str = Field(description="low, medium, high or not_assessed")
    score: float | None
    source: str = Field(description="text, context or text+context")
    evidence: list[str]
    spans: list[SpanOut]
    missing: list[str] = Field(description="the context fields that would let it be assessed")


class BoundsOut(BaseModel):
    low: float = Field(description="the combined score with every missing factor at 0")
    high: float = Field(description="the combined score with every missing factor at 1")


class WindowOut(BaseModel):
    start: int
    end: int


class RabatOut(BaseModel):
    threshold_met: bool | None
    decision: str = Field(description="met, not_met or undetermined")
    combined_score: float | None = Field(
        description="the factors' weighted mean; null when a factor is missing (see bounds)"
    )
    drivers: list[str] = Field(
        description="met: the largest contributions; not met: what held it below"
    )
    missing_factors: list[str]
    reason: str = Field(description="the rule that decided, with its numbers")
    summary: str = Field(
        description="one plain sentence: the decision, the factors that drove it, the "
        "evidence words and, for a long text, the window that was read"
    )
    bounds: BoundsOut | None = Field(
        None, description="with factors missing: the range the combined score can take"
    )
    window: WindowOut | None = Field(
        None, description="the most severe window the text-borne factors read (long texts)"
    )
    severity: dict[str, Any]
    factors: dict[str, FactorOut] = Field(description="the six factors, by name")


class SignalsOut(BaseModel):
    target_groups: dict[str, float]
    targets_detected: list[str]
    call_to_violence: float
    dehumanisation: float
    evidence: list[SpanOut]


class LanguageOut(BaseModel):
    """The language the text is written in (`rabat.text.language`)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "fr", "confidence": 0.97, "found": ["fr", "en"]}]}
    )

    code: str = Field(
        description="ISO 639-1 code (`en`, `fr`, `ar`, `zh`), ISO 639-3 for a language without "
        "one; `und` (undetermined) when the text has too little language to tell: no letters "
        "(digits, emoji, a URL), a single word, or no guess the detector is confident in",
        examples=["fr"],
    )
    confidence: float = Field(
        ge=0,
        le=1,
        description="the detector's probability for `code`; 0 for `und`. Short texts score "
        "lower (two words: often 0.2-0.5) than sentences (0.9 and up)",
        examples=[0.97],
    )
    found: list[str] = Field(
        description="the languages whole clauses of the text are written in, `code` first "
        "(one entry unless the text mixes languages); empty for `und`",
        examples=[["fr", "en"]],
    )


class ResultOut(BaseModel):
    label: str
    scores: dict[str, float]
    signals: SignalsOut
    rabat: RabatOut
    truncated: bool = Field(
        description="the text was longer than the model's window, so it was read in `windows` "
        "overlapping windows (nothing is cut off)"
    )
    windows: int = Field(1, description="how many overlapping windows the text was read in")
    window: WindowOut | None = Field(
        None,
        description="the window whose prediction decided (the most severe): character offsets "
        "into the text as sent; null when the text fit in one window",
    )
    language: LanguageOut = Field(
        description="the language of the text (its dominant one when it mixes languages)"
    )
    model_version: str | None = Field(
        None,
        description="only when two models are routed between by language "
        "(RABAT_ROUTE_MODEL_DIR): the version of the one that analysed this text",
    )


class ClassifyResponse(ResultOut):
    model_version: str = Field(
        description="the model that analysed the text (with routing, the one its language went to)"
    )
    request_id: str


class BatchResponse(BaseModel):
    results: list[ResultOut]
    model_version: str
    request_id: str


class ErrorOut(BaseModel):
    code: str
    message: str
    field: str | None
    request_id: str | None
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorOut


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        400: "the body is not valid JSON",
        401: "an API key is required",
        403: "the API key is not valid",
        413: "the body is larger than RABAT_MAX_BODY_BYTES",
        415: "the body is not JSON (Content-Type must be application/json)",
        422: "a field is missing, unknown, malformed or over a limit",
        503: "the model is not ready, is overloaded or failed on this batch: retry",
    }.items()
}

CONFLICT_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorResponse,
        "description": "a retraining job is running, or retraining cannot start: the message "
        "says why",
    },
}
