"""The drop-in endpoints answer errors in their own format's shape, so that the clients written
for them raise their own exceptions with Rabat's message:

    Perspective (Google):  {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT",
                           "details": [{"@type": ..., "reason", "field", "request_id"}]}}
    OpenAI:                {"error": {"message": "...", "type": "invalid_request_error",
                           "param": "input", "code": "text_too_long"}}

Everything else keeps Rabat's own shape (service/errors.py). Both formats report a bad request
as 400 where Rabat says 422.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

GOOGLE_PREFIXES = ("/v1alpha1/", "/$discovery/", "/discovery/")
OPENAI_PREFIXES = ("/v1/",)

GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
OPENAI_TYPE = {401: "invalid_request_error", 403: "permission_error", 404: "not_found_error"}


def format_of(path: str) -> str | None:
    """ "google", "openai", or None for Rabat's own endpoints."""
    if path.startswith(GOOGLE_PREFIXES):
        return "google"
    if path.startswith(OPENAI_PREFIXES):
        return "openai"
    return None


def status_for(fmt: str | None, status: int) -> int:
    return 400 if fmt is not None and status == 422 else status


def error_body(
    fmt: str, status: int, code: str, message: str, field: str | None, request_id: str | None
) -> dict[str, Any]:
    """The error body in `fmt`'s shape (`status` already mapped by `status_for`)."""
    if fmt == "google":
        info = {
            "@type": "type.googleapis.com/rabat.ErrorInfo",
            "reason": code,
            "field": field,
            "request_id": request_id,
        }
        return {
            "error": {
                "code": status,
                "message": message,
                "status": GOOGLE_STATUS.get(status, "INTERNAL" if status >= 500 else "UNKNOWN"),
                "details": [info],
            }
        }
    kind = OPENAI_TYPE.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": field, "code": code}}


class GoogleError(BaseModel):
    code: int
    message: str
    status: str
    details: list[dict[str, Any]]


class GoogleErrorResponse(BaseModel):
    error: GoogleError


class OpenAIError(BaseModel):
    message: str
    type: str
    param: str | None
    code: str


class OpenAIErrorResponse(BaseModel):
    error: OpenAIError


_STATUSES = {
    400: "the body is not JSON, a field is missing, unknown or invalid, or a text is too long",
    401: "an API key is required",
    403: "the API key is not valid",
    413: "the body is larger than RABAT_MAX_BODY_BYTES",
    415: "the body is not JSON (Content-Type must be application/json)",
    503: "the model is not ready, is overloaded or failed on this batch: retry",
}


def _responses(model: type[BaseModel], shape: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of an endpoint whose errors come in `shape`."""
    return {
        status: {"model": model, "description": f"{text}, in {shape} error shape"}
        for status, text in _STATUSES.items()
    }


GOOGLE_RESPONSES = _responses(GoogleErrorResponse, "Google's")
OPENAI_RESPONSES = _responses(OpenAIErrorResponse, "OpenAI's")
