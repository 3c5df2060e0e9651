"""The app around an analyzer whose model fails on some texts (the one place a fake is used):
a failed batch is a 503, never a 500, and the service keeps answering; the last-resort 500."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from rabat.assessment.analysis import Analyzer
from rabat.assessment.policy import load_policy
from rabat.labels import LABELS
from rabat.model.meta import ModelMeta
from rabat.model.torch_backend import Classifier, Prediction
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS
from service.app import create_app
from tests.service.conftest import POLICY, serve, settings_for

FAILING_WORD = "explode"


class FailingClassifier(Classifier):
    """Predicts `none` for everything, and raises on any batch holding FAILING_WORD."""

    def __init__(self) -> None:  # no model to load
        self.meta = ModelMeta("fake-1", LABELS, TARGET_GROUPS, BINARY_SIGNALS, 32, "none")
        self.batch_size = 32

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]:
        if any(FAILING_WORD in text for text in texts):
            raise RuntimeError("simulated model failure")
        scores = dict.fromkeys(LABELS, 0.0) | {"none": 1.0}
        groups = dict.fromkeys(TARGET_GROUPS, 0.0)
        return [Prediction("none", scores, groups, 0.0, 0.0, False) for _ in texts]


@pytest.fixture(scope="module")
def failing_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    analyzer = Analyzer(FailingClassifier(), load_policy(POLICY), evidence=False)
    settings = settings_for(tmp_path_factory.mktemp("fake-model"))
    with serve(create_app(settings, analyzer=analyzer)) as url:
        yield url


def test_a_failed_batch_is_a_503_and_the_next_request_works(failing_url: str) -> None:
    with httpx.Client(base_url=failing_url, timeout=30) as http:
        failed = http.post("/classify", json={"text": f"please {FAILING_WORD}"})
        assert failed.status_code == 503
        error = failed.json()["error"]
        assert error["code"] == "analysis_failed"
        assert "Retry" in error["message"]
        assert failed.headers["Retry-After"] == "1"
        batch = http.post(
            "/classify/batch", json={"items": [{"text": "ok"}, {"text": FAILING_WORD}]}
        )
        assert batch.status_code == 503
        ok = http.post("/classify", json={"text": "have a nice day"})
        assert ok.status_code == 200
        assert ok.json()["model_version"] == "fake-1"
        assert http.get("/ready").status_code == 200
        metrics = http.get("/metrics").text
    assert "rabat_batch_failures_total 2.0" in metrics


def test_the_model_card_tolerates_a_directory_without_training_files(failing_url: str) -> None:
    card = httpx.get(f"{failing_url}/model", timeout=30).json()
    assert card["version"] == "fake-1"
    assert card["metrics"] is None and card["data"] is None


def test_an_unexpected_exception_is_a_json_500(tmp_path: Path) -> None:
    """The last resort for bugs: same error shape, the request id, no traceback to the client."""
    app = create_app(settings_for(tmp_path))

    @app.get("/bug")
    async def bug() -> None:
        raise ZeroDivisionError("a bug")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.get("/bug", headers={"X-Request-ID": "bug-1"})

    response = asyncio.run(call())
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.json()["error"]["request_id"] == "bug-1"
    assert response.headers["X-Request-ID"] == "bug-1"
    assert "ZeroDivisionError" not in response.text
