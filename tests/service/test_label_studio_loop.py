"""The whole loop with real parts: a real Label Studio connects to the service as its ML backend,
gets predictions, collects reviewers' labels, and its "Start training" makes the service pull
them, retrain (a tiny real run), and serve the new model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from annotation.__main__ import main as annotation_cli
from annotation.client import connect
from annotation.credentials import api_token
from annotation.settings import Settings
from rabat.review.labeling import LABEL, TEXT
from service.app import create_app
from tests.service.conftest import serve, settings_for
from tests.service.routers.test_retrain import job_settings, wait_for_job

pytestmark = pytest.mark.slow


@pytest.mark.usefixtures("retrain_job")  # the retraining job, beside the service
def test_label_studio_gets_predictions_and_its_training_request_swaps_in_a_new_model(
    label_studio: Settings,
    smoke_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = api_token(label_studio)
    monkeypatch.setenv("RABAT_LS_URL", label_studio.base_url)
    monkeypatch.setenv("RABAT_LS_TOKEN", token)
    monkeypatch.setenv("RABAT_LS_PROJECT", "Rabat backend test")
    app = create_app(settings_for(smoke_model_dir, **job_settings(tmp_path)))
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as service:
        first_version = service.get("/model").json()["version"]
        assert annotation_cli(["setup", "--model", str(smoke_model_dir), "--ml-backend", url]) == 0
        ls = connect(label_studio)
        project = next(p for p in ls.projects.list() if p.title == "Rabat backend test")
        rows = (json.loads(line) for line in (smoke_model_dir / "splits/dev.jsonl").open())
        limit = settings_for(smoke_model_dir).max_text_chars  # longer texts get a 422, rightly
        texts = [r["text"] for r in rows if len(r["text"]) <= limit][:4]
        ls.projects.import_tasks(project.id, request=[{"data": {TEXT: t}} for t in texts])

        _retrieve_predictions(label_studio, token, int(project.id))
        tasks = sorted(ls.tasks.list(project=project.id, fields="all"), key=lambda t: t.id)
        assert all(t.predictions for t in tasks)
        assert {t.predictions[0].model_version for t in tasks} == {first_version}
        labels = {
            r["value"]["choices"][0]
            for t in tasks
            for r in t.predictions[0].result
            if r["from_name"] == LABEL
        }
        assert labels <= {"none", "offensive", "hate_speech", "incitement"} and labels

        for task, label in zip(tasks[:3], ["incitement", "none", "offensive"], strict=True):
            ls.annotations.create(id=task.id, result=[_label(label)])
        backend = next(iter(ls.ml.list(project=project.id)))
        ls.ml.train(backend.id)  # Label Studio posts START_TRAINING to /webhook

        status = wait_for_job(service)
        assert status["state"] == "done", status
        assert status["previous_version"] == first_version
        assert service.get("/model").json()["version"] == status["model_version"] != first_version
        reviews = [
            json.loads(line) for line in Path(status["reviews_file"]).read_text().splitlines()
        ]
        assert sorted(r["label"] for r in reviews) == ["incitement", "none", "offensive"]
        manifest = json.loads((Path(status["model_dir"]) / "data_manifest.json").read_text())
        assert manifest["sources"]["review"]["rows"] == 3
        answer = service.post("/classify", json={"text": "have a nice day"})
        assert answer.status_code == 200


def _retrieve_predictions(settings: Settings, token: str, project: int) -> None:
    """The Data Manager's "Retrieve predictions" action, as a reviewer would click it."""
    response = httpx.post(
        f"{settings.base_url}/api/dm/actions",
        params={"id": "retrieve_tasks_predictions", "project": project},
        json={"selectedItems": {"all": True, "excluded": []}},
        headers={"Authorization": f"Token {token}"},
        timeout=120,
    )
    response.raise_for_status()


def _label(label: str) -> dict[str, Any]:
    return {"from_name": LABEL, "to_name": TEXT, "type": "choices", "value": {"choices": [label]}}


def test_with_api_keys_label_studio_authenticates_and_its_webhook_carries_the_key(
    label_studio: Settings, smoke_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "rabat-test-key-0123456789"
    monkeypatch.setenv("RABAT_LS_URL", label_studio.base_url)
    monkeypatch.setenv("RABAT_LS_TOKEN", api_token(label_studio))
    monkeypatch.setenv("RABAT_LS_PROJECT", "Rabat keyed backend test")
    monkeypatch.setenv("RABAT_LS_BACKEND_KEY", key)
    app = create_app(settings_for(smoke_model_dir, api_keys=[key]))
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as service:
        assert service.post("/setup", json={"project": "1.1", "schema": ""}).status_code == 401
        assert annotation_cli(["setup", "--model", str(smoke_model_dir), "--ml-backend", url]) == 0
        ls = connect(label_studio)
        project = next(p for p in ls.projects.list() if p.title == "Rabat keyed backend test")
        ls.projects.import_tasks(project.id, request=[{"data": {TEXT: "have a nice day"}}])
        _retrieve_predictions(label_studio, api_token(label_studio), int(project.id))
        (task,) = ls.tasks.list(project=project.id, fields="all")
        assert task.predictions  # /predict accepted Label Studio's basic auth
        ls.annotations.create(id=task.id, result=[_label("none")])
        counted = _events(service, key, "ANNOTATION_CREATED")
        assert counted >= 1  # the webhook reached /webhook with the key


def _events(service: httpx.Client, key: str, action: str, wait_s: float = 20) -> float:
    """The service's count of `action` webhook events, once it is non-zero (or after wait_s)."""
    import re
    import time

    deadline, found = time.monotonic() + wait_s, 0.0
    while time.monotonic() < deadline:
        metrics = service.get("/metrics", headers={"X-API-Key": key}).text
        match = re.search(rf'rabat_label_studio_events_total{{action="{action}"}} (\S+)', metrics)
        found = float(match.group(1)) if match else 0.0
        if found:
            break
        time.sleep(0.5)
    return found
