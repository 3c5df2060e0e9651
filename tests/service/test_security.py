"""API keys over real HTTP: off, 401 without, 403 wrong, 200 right; open health checks; and
the constant-time comparison."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from service.security import key_matches
from tests.service.conftest import ServerFactory

KEY_ONE = "k1-" + "a" * 30
KEY_TWO = "k2-" + "b" * 30
TEXT = {"text": "have a nice day"}


@pytest.fixture(scope="module")
def secured(make_server: ServerFactory) -> Iterator[httpx.Client]:
    with (
        make_server(api_keys=[KEY_ONE, KEY_TWO], cors_origins=["https://example.org"]) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        yield http


@pytest.mark.slow
def test_auth_off_lets_requests_in(client: httpx.Client) -> None:
    assert client.post("/classify", json=TEXT).status_code == 200
    assert client.get("/metrics").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/classify"), ("POST", "/classify/batch"), ("GET", "/metrics"), ("GET", "/model")],
)
def test_no_key_is_401_and_wrong_key_is_403(secured: httpx.Client, method: str, path: str) -> None:
    body = {"items": [TEXT]} if path.endswith("batch") else TEXT
    payload = body if method == "POST" else None
    missing = secured.request(method, path, json=payload)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert "X-API-Key" in missing.json()["error"]["message"]
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    for headers in ({"X-API-Key": KEY_ONE + "x"}, {"Authorization": "Bearer nope-nope-nope"}):
        wrong = secured.request(method, path, headers=headers, json=payload)
        assert wrong.status_code == 403
        assert wrong.json()["error"]["code"] == "forbidden"


@pytest.mark.slow
@pytest.mark.parametrize(
    "headers",
    [{"X-API-Key": KEY_ONE}, {"X-API-Key": KEY_TWO}, {"Authorization": f"Bearer {KEY_TWO}"}],
)
def test_a_configured_key_is_let_in(secured: httpx.Client, headers: dict[str, str]) -> None:
    assert secured.post("/classify", json=TEXT, headers=headers).status_code == 200
    assert secured.get("/metrics", headers=headers).status_code == 200


@pytest.mark.slow
def test_basic_auth_with_a_key_as_password_is_let_in(secured: httpx.Client) -> None:
    """Label Studio's ML backend form offers basic auth: the password is the key."""
    assert secured.post("/classify", json=TEXT, auth=("rabat", KEY_ONE)).status_code == 200
    assert secured.post("/predict", json={"tasks": []}, auth=("", KEY_TWO)).status_code == 200
    assert secured.post("/classify", json=TEXT, auth=("rabat", KEY_ONE + "x")).status_code == 403
    garbled = secured.post("/classify", json=TEXT, headers={"Authorization": "Basic %%%"})
    assert garbled.status_code == 401


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/setup"), ("POST", "/predict"), ("POST", "/webhook"), ("POST", "/train"),
     ("POST", "/retrain"), ("GET", "/retrain")],
)  # fmt: skip
def test_the_label_studio_and_retraining_routes_need_a_key(
    secured: httpx.Client, method: str, path: str
) -> None:
    response = secured.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == 401
    assert "basic auth" in response.json()["error"]["message"]


@pytest.mark.slow
def test_health_checks_stay_open(secured: httpx.Client) -> None:
    assert secured.get("/health").status_code == 200
    assert secured.get("/ready").status_code == 200


@pytest.mark.slow
def test_cors_only_when_origins_are_set(secured: httpx.Client, client: httpx.Client) -> None:
    preflight = {
        "Origin": "https://example.org",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key",
    }
    allowed = secured.options("/classify", headers=preflight)
    assert allowed.headers.get("access-control-allow-origin") == "https://example.org"
    other = secured.options("/classify", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    off = client.options("/classify", headers=preflight)
    assert "access-control-allow-origin" not in off.headers


def test_key_matching_is_exact() -> None:
    keys = [SecretStr(KEY_ONE), SecretStr(KEY_TWO)]
    assert key_matches(KEY_ONE, keys) and key_matches(KEY_TWO, keys)
    assert not key_matches(KEY_ONE[:-1], keys)
    assert not key_matches(KEY_ONE + " ", keys)
    assert not key_matches("", keys)
    assert not key_matches("\ud800", keys)  # odd input is a mismatch, not a crash
