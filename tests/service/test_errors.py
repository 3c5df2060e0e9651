"""Bad input never gets a 500: each case gets its status and an error body naming the field or
limit (over real HTTP, on the real model); and the helpers that name fields."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.errors import allowed_fields, field_name
from service.schemas import BatchRequest, ClassifyRequest, ErrorResponse
from tests.service.conftest import LIMITS

JSON = {"Content-Type": "application/json"}
TEXT_LIMIT, ITEM_LIMIT, BODY_LIMIT = (
    LIMITS["max_text_chars"],
    LIMITS["max_batch_items"],
    LIMITS["max_body_bytes"],
)


def post(path: str, body: Any = None, *, raw: bytes | None = None, headers: Any = None) -> dict:
    if raw is not None:
        return {"url": path, "content": raw, "headers": headers or JSON}
    return {"url": path, "json": body, **({"headers": headers} if headers else {})}


def chunks(total: int) -> Iterator[bytes]:
    """A body sent chunked (no Content-Length): only the stream tells its size."""
    yield b'{"text": "'
    sent = 10
    while sent < total:
        yield b"a" * 1000
        sent += 1000
    yield b'"}'


# (id, request, status, code, field, words the message must contain)
CASES: list[tuple[str, dict, int, str, str | None, list[str]]] = [
    ("empty text", post("/classify", {"text": ""}), 422, "invalid_field", "text", ["empty"]),
    (
        "blank text",
        post("/classify", {"text": " \n\t "}),
        422,
        "invalid_field",
        "text",
        ["non-space"],
    ),
    ("no text", post("/classify", {"context": {}}), 422, "missing_field", "text", ["required"]),
    (
        "text not a string",
        post("/classify", {"text": 5}),
        422,
        "invalid_field",
        "text",
        ["string", "5"],
    ),
    ("text null", post("/classify", {"text": None}), 422, "invalid_field", "text", ["string"]),
    ("text NaN", post("/classify", raw=b'{"text": NaN}'), 422, "invalid_field", "text", ["string"]),
    (
        "text over the limit",
        post("/classify", {"text": "g" * (TEXT_LIMIT + 1)}),
        422,
        "text_too_long",
        "text",
        [str(TEXT_LIMIT), str(TEXT_LIMIT + 1), "RABAT_MAX_TEXT_CHARS"],
    ),
    (
        "batch item text over the limit",
        post("/classify/batch", {"items": [{"text": "ok"}, {"text": "g" * (TEXT_LIMIT + 5)}]}),
        422,
        "text_too_long",
        "items[1].text",
        [str(TEXT_LIMIT), str(TEXT_LIMIT + 5)],
    ),
    (
        "too many batch items",
        post("/classify/batch", {"items": [{"text": "hi"}] * (ITEM_LIMIT + 1)}),
        422,
        "too_many_items",
        "items",
        [str(ITEM_LIMIT), str(ITEM_LIMIT + 1), "RABAT_MAX_BATCH_ITEMS"],
    ),
    (
        "empty batch",
        post("/classify/batch", {"items": []}),
        422,
        "invalid_field",
        "items",
        ["at least 1"],
    ),
    (
        "batch not a list",
        post("/classify/batch", {"items": "hi"}),
        422,
        "invalid_field",
        "items",
        ["list"],
    ),
    (
        "blank text in batch",
        post("/classify/batch", {"items": [{"text": "hi"}, {"text": " "}]}),
        422,
        "invalid_field",
        "items[1].text",
        ["non-space"],
    ),
    (
        "body over the limit (Content-Length)",
        post("/classify", raw=b'{"text": "' + b"a" * BODY_LIMIT + b'"}'),
        413,
        "body_too_large",
        "body",
        [str(BODY_LIMIT), "RABAT_MAX_BODY_BYTES", "Content-Length"],
    ),
    (
        "body over the limit (chunked)",
        {"url": "/classify", "content": chunks(BODY_LIMIT + 2000), "headers": JSON},
        413,
        "body_too_large",
        "body",
        [str(BODY_LIMIT), "while reading"],
    ),
    (
        "unknown field",
        post("/classify", {"text": "hi", "colour": "red"}),
        422,
        "unknown_field",
        "colour",
        ["text", "context"],
    ),
    (
        "unknown context field",
        post("/classify", {"text": "hi", "context": {"speaker": {"rol": "media"}}}),
        422,
        "unknown_field",
        "context.speaker.rol",
        ["role", "influence", "followers"],
    ),
    (
        "unknown batch item field",
        post("/classify/batch", {"items": [{"text": "hi", "txt": "x"}]}),
        422,
        "unknown_field",
        "items[0].txt",
        ["text"],
    ),
    (
        "bad enum in context",
        post("/classify", {"text": "hi", "context": {"speaker": {"role": "king"}}}),
        422,
        "invalid_field",
        "context.speaker.role",
        ["political_leader", "king"],
    ),
    (
        "negative followers",
        post("/classify", {"text": "hi", "context": {"speaker": {"followers": -1}}}),
        422,
        "invalid_field",
        "context.speaker.followers",
        ["greater than or equal to 0", "-1"],
    ),
    (
        "context not an object",
        post("/classify", {"text": "hi", "context": "election"}),
        422,
        "invalid_field",
        "context",
        ["election"],
    ),
    (
        "huge integer",
        post(
            "/classify",
            raw=b'{"text": "hi", "context": {"reach": {"repetition": 1' + b"0" * 5000 + b"}}}",
        ),
        400,
        "bad_request",
        None,
        ["JSON"],
    ),
    (
        "invalid JSON",
        post("/classify", raw=b'{"text": "hi",'),
        400,
        "invalid_json",
        "body",
        ["JSON"],
    ),
    ("not JSON at all", post("/classify", raw=b"text=hi"), 400, "invalid_json", "body", ["JSON"]),
    (
        "deep nesting",
        post("/classify", raw=b"[" * 9000 + b"]" * 9000),
        400,
        "bad_request",
        None,
        ["JSON"],
    ),
    (
        "invalid UTF-8",
        post("/classify", raw=b'{"text": "\xff\xfe"}'),
        400,
        "bad_request",
        None,
        ["UTF-8"],
    ),
    (
        "JSON array body",
        post("/classify", [{"text": "hi"}]),
        422,
        "invalid_field",
        "body",
        ["dictionary"],
    ),
    ("empty body", post("/classify", raw=b""), 422, "missing_field", "body", ["required"]),
    (
        "lone surrogate in a key",
        post("/classify", raw=b'{"text": "hi", "\\udc00": 1}'),
        422,
        "invalid_field",
        "body",
        ["string"],
    ),
    (
        "wrong content type",
        post("/classify", raw=b'{"text": "hi"}', headers={"Content-Type": "text/plain"}),
        415,
        "unsupported_media_type",
        "body",
        ["application/json", "text/plain"],
    ),
    (
        "form content type",
        post(
            "/classify",
            raw=b"text=hi",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
        "unsupported_media_type",
        "body",
        ["application/json"],
    ),
    (
        "no content type",
        post("/classify", raw=b'{"text": "hi"}', headers={"Content-Type": ""}),
        415,
        "unsupported_media_type",
        "body",
        ["no Content-Type"],
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("request_kwargs", "status", "code", "field", "words"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_input_gets_a_clear_error_not_a_500(
    client: httpx.Client,
    request_kwargs: dict,
    status: int,
    code: str,
    field: str | None,
    words: list[str],
) -> None:
    response = client.request("POST", **request_kwargs)
    assert response.status_code == status, response.text
    error = ErrorResponse.model_validate(response.json()).error
    assert error.code == code
    assert error.field == field
    for word in words:
        assert word in error.message, (word, error.message)
    assert error.request_id == response.headers["X-Request-ID"]
    uuid.UUID(error.request_id)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/classify", 405, "method_not_allowed"), ("GET", "/nowhere", 404, "not_found")],
)
def test_wrong_method_or_path(
    client: httpx.Client, method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert path in response.json()["error"]["message"]


@pytest.mark.slow
def test_the_service_still_answers_after_the_bad_input(client: httpx.Client) -> None:
    assert client.post("/classify", json={"text": "have a nice day"}).status_code == 200


def test_field_names_read_like_the_json() -> None:
    assert field_name(["items", 3, "context", "speaker", "role"]) == "items[3].context.speaker.role"
    assert field_name(["text"]) == "text"
    assert field_name(["body"]) == "body"


def test_allowed_fields_follow_the_models() -> None:
    assert allowed_fields(ClassifyRequest, []) == ["text", "context", "explain"]
    assert allowed_fields(ClassifyRequest, ["context"]) == ["speaker", "reach", "setting"]
    assert allowed_fields(BatchRequest, ["items", 0, "context", "reach"]) == [
        "audience_size",
        "public",
        "medium",
        "repetition",
    ]
    assert allowed_fields(ClassifyRequest, ["text"]) == []
