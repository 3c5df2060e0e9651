"""GET /health, /ready and /model on the real tiny model; /ready before the model is loaded."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from rabat.labels import LABELS
from rabat.signals import TARGET_GROUPS
from service.app import create_app
from tests.service.conftest import settings_for


@pytest.mark.slow
def test_health_and_ready(client: httpx.Client, smoke_model_dir: Path) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    version = json.loads((smoke_model_dir / "rabat_model.json").read_text())["version"]
    assert ready.json() == {"status": "ready", "model_version": version}


@pytest.mark.slow
def test_model_card_summarises_the_model_directory(
    client: httpx.Client, smoke_model_dir: Path
) -> None:
    card = client.get("/model").json()
    metrics = json.loads((smoke_model_dir / "metrics.json").read_text())
    manifest = json.loads((smoke_model_dir / "data_manifest.json").read_text())
    assert card["version"] == metrics["version"]
    assert card["labels"] == list(LABELS)
    assert card["target_groups"] == list(TARGET_GROUPS)
    assert set(card["label_definitions"]) == set(LABELS)
    for split in ("dev", "test"):
        assert card["metrics"][split]["macro_f1"] == metrics[split]["macro_f1"]
        per_label = card["metrics"][split]["per_label_f1"]
        assert per_label == {k: v["f1"] for k, v in metrics[split]["per_label"].items()}
    assert card["data"]["sources"] == {k: v["rows"] for k, v in manifest["sources"].items()}
    assert card["data"]["rows_per_label"] == manifest["rows_per_label"]
    assert card["policy"]["sha256"] and len(card["policy"]["sha256"]) == 64
    assert card["service"]["max_text_chars"] == 200
    # training fitted the smoke model's signal_policy.json on its dev rows, and the card says so
    saved = json.loads((smoke_model_dir / "signal_policy.json").read_text())
    assert card["signal_policy"]["fitted"] is True
    assert card["signal_policy"]["evidence"]["other"] == saved["evidence"]["other"]


def test_ready_is_503_until_the_model_is_loaded(tmp_path: Path) -> None:
    """Without its lifespan the app has no model: /ready and /classify say so, /health is up."""
    app = create_app(settings_for(tmp_path / "no-model"))

    async def calls() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return [
                await http.get("/health"),
                await http.get("/ready"),
                await http.post("/classify", json={"text": "have a nice day"}),
            ]

    health, ready, classify = asyncio.run(calls())
    assert health.status_code == 200
    for response in (ready, classify):
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "not_ready"
        assert response.headers["Retry-After"] == "1"


@pytest.mark.slow
def test_openapi_documents_the_api(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/classify", "/classify/batch", "/health", "/ready", "/model", "/metrics"} <= set(
        spec["paths"]
    )
    schemas = spec["components"]["schemas"]
    assert {"ClassifyRequest", "ClassifyResponse", "ErrorResponse", "Context"} <= set(schemas)
