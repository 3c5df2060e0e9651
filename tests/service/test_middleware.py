"""Request ids and the request log over real HTTP (the body limit is in test_errors.py)."""

from __future__ import annotations

import logging
import time
import uuid

import httpx
import pytest

from tests.service.conftest import ServerFactory

pytestmark = pytest.mark.slow

DISTINCTIVE = "the goose sat quietly on a purple bench"


def test_a_valid_incoming_request_id_is_echoed(client: httpx.Client) -> None:
    response = client.post(
        "/classify", json={"text": "hi"}, headers={"X-Request-ID": "trace-42.a:b"}
    )
    assert response.headers["X-Request-ID"] == "trace-42.a:b"
    assert response.json()["request_id"] == "trace-42.a:b"


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 200, "<script>", "-starts-with-dash"])
def test_an_invalid_request_id_is_replaced_by_a_uuid4(client: httpx.Client, incoming: str) -> None:
    response = client.post("/classify", json={"text": "hi"}, headers={"X-Request-ID": incoming})
    assert uuid.UUID(response.headers["X-Request-ID"]).version == 4
    assert response.json()["request_id"] == response.headers["X-Request-ID"]


def test_every_response_carries_a_request_id(client: httpx.Client) -> None:
    for response in (client.get("/health"), client.get("/nowhere"), client.get("/metrics")):
        uuid.UUID(response.headers["X-Request-ID"])


def access_line(caplog: pytest.LogCaptureFixture, request_id: str) -> str:
    """The request's log line. The middleware writes it once the response is sent, so the client
    can hold the response a moment before the line exists: wait for it (up to 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        found = [r.getMessage() for r in caplog.records if request_id in r.getMessage()]
        if found or time.monotonic() > deadline:
            assert found, f"no log line names request {request_id}"
            return found[0]
        time.sleep(0.05)


def test_the_log_has_no_text_by_default(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service")
    response = client.post("/classify", json={"text": DISTINCTIVE})
    line = access_line(caplog, response.headers["X-Request-ID"])
    assert f"chars={len(DISTINCTIVE)}" in line
    assert f"labels={response.json()['label']}" in line
    assert "ms=" in line
    assert DISTINCTIVE not in caplog.text
    assert "purple" not in caplog.text


def test_the_log_has_the_text_when_log_text_is_on(
    make_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service")
    with make_server(log_text=True) as url:
        httpx.post(f"{url}/classify", json={"text": DISTINCTIVE}, timeout=60)
    assert DISTINCTIVE in caplog.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/moderations", {"input": [DISTINCTIVE]}),
        (
            "/v1alpha1/comments:analyze",
            {"comment": {"text": DISTINCTIVE}, "requestedAttributes": {"TOXICITY": {}}},
        ),
    ],
)
def test_the_drop_in_endpoints_log_no_text_and_no_key(
    make_server: ServerFactory, caplog: pytest.LogCaptureFixture, path: str, body: dict[str, object]
) -> None:
    key = "a-key-that-must-not-be-logged-0123"
    caplog.set_level(logging.DEBUG)
    with make_server(api_keys=[key]) as url:
        response = httpx.post(
            f"{url}{path}?key={key}", json=body, headers={"X-API-Key": key}, timeout=60
        )
        assert response.status_code == 200, response.text
        line = access_line(caplog, response.headers["X-Request-ID"])
    assert f"chars={len(DISTINCTIVE)}" in line and path in line
    served = [
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    ]
    assert not [
        m for m in served if "purple" in m or key in m
    ]  # (the test's own client logs its URL)
