"""One error body for every failure, and the handlers that produce it.

    {"error": {"code": "text_too_long", "message": "...", "field": "items[2].text",
               "request_id": "...", "details": [...]}}

`code` is stable and machine-readable; `message` says what was expected, what was found and
what to do; `field` names the offending request field (null when none); `details` lists every
validation problem when there are several.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, get_args

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.error_formats import error_body, format_of, status_for
from service.moderation import ModerationRequest
from service.perspective import AnalyzeCommentRequest
from service.schemas import BatchRequest, ClassifyRequest, RetrainRequest
from service.text import printable

logger = logging.getLogger(__name__)

BODY_MODELS: dict[str, type[BaseModel]] = {
    "/classify": ClassifyRequest,
    "/classify/batch": BatchRequest,
    "/retrain": RetrainRequest,
    "/v1alpha1/comments:analyze": AnalyzeCommentRequest,
    "/v1/moderations": ModerationRequest,
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the service answers with a status, a code and a message (see module docs)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    request_id: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    path: str = "",
) -> JSONResponse:
    """The JSON response for an error (also used by the pure ASGI middleware); at a drop-in
    endpoint's `path`, in that format's shape (service/error_formats.py)."""
    fmt = format_of(path)
    if fmt is not None:
        status = status_for(fmt, status)
        shaped = error_body(fmt, status, code, printable(message), field, request_id)
        return JSONResponse(shaped, status_code=status, headers=headers)
    body: dict[str, Any] = {
        "code": code,
        "message": printable(message),
        "field": printable(field) if field is not None else None,
        "request_id": request_id,
    }
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception the app can raise to `error_response`."""
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)


def request_id_of(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(
        exc.status,
        exc.code,
        exc.message,
        exc.field,
        request_id_of(request),
        headers=exc.headers,
        path=request.url.path,
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = str(exc.detail)
    if exc.status_code == 400:  # FastAPI could not read the body (bad encoding, nesting, ...)
        message = "the request body could not be read: send a UTF-8 encoded JSON object"
    elif exc.status_code == 404:
        message = f"no endpoint at {request.url.path}; see /docs for the API"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}; see /docs for the API"
    headers = dict(exc.headers) if exc.headers else None
    return error_response(
        exc.status_code,
        code,
        message,
        None,
        request_id_of(request),
        headers=headers,
        path=request.url.path,
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    route = request.scope.get("route")
    root = BODY_MODELS.get(getattr(route, "path", ""))
    details = [_detail(e, root) for e in errors]
    first = details[0] if details else {"field": None, "message": "invalid request"}
    if errors and errors[0].get("type") == "json_invalid":
        reason = errors[0].get("ctx", {}).get("error", "not JSON")
        message = (
            f"the request body is not valid JSON ({reason}, at character {errors[0]['loc'][-1]}); "
            'send a JSON object such as {"text": "have a nice day"}'
        )
        return error_response(
            400, "invalid_json", message, "body", request_id_of(request), path=request.url.path
        )
    return error_response(
        422,
        details[0]["code"] if details else "invalid_request",
        str(first["message"]),
        first["field"],
        request_id_of(request),
        details=details if len(details) > 1 else None,
        path=request.url.path,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The last resort: a bug, never an input problem (tests show no input gets here)."""
    request_id = request_id_of(request)
    logger.error("unexpected %s on request %s", type(exc).__name__, request_id, exc_info=exc)
    headers = {"X-Request-ID": request_id} if request_id else None
    message = "the service failed unexpectedly; it was logged, retry or report the request id"
    return error_response(
        500, "internal_error", message, None, request_id, headers=headers, path=request.url.path
    )


def _detail(error: Any, root: type[BaseModel] | None) -> dict[str, Any]:
    """One pydantic error as {code, field, message}, naming the field and what was found."""
    loc = [part for part in error.get("loc", ()) if part != "body"] or ["body"]
    field = field_name(loc)
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = allowed_fields(root, loc[:-1]) if root else []
        expected = f": expected one of {allowed}" if allowed else ""
        return {
            "code": "unknown_field",
            "field": field,
            "message": f"unknown field {field}{expected}",
        }
    if kind == "missing":
        what = "a JSON body" if field == "body" else f"the field {field}"
        example = ', such as {"text": "have a nice day"}' if field == "body" else ""
        return {"code": "missing_field", "field": field, "message": f"{what} is required{example}"}
    found = error.get("input")
    # a value_error's own message already says what was found
    shown = (
        ""
        if kind == "value_error" or isinstance(found, dict | list)
        else f"; found {_short(found)}"
    )
    return {"code": "invalid_field", "field": field, "message": f"{field}: {message}{shown}"}


def field_name(loc: Sequence[str | int]) -> str:
    """("items", 3, "text") -> "items[3].text"."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def allowed_fields(model: type[BaseModel], path: Sequence[str | int]) -> list[str]:
    """The fields of the model found by following `path` from `model` ([] if none)."""
    current: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if current else None
        current = _model_in(info.annotation) if info else None
    return list(current.model_fields) if current else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
