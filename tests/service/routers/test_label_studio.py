"""Label Studio's ML backend protocol over real HTTP on the real tiny model: /setup checks the
labeling config, /predict answers one prediction per task in order, /webhook counts reviews
and ignores what it does not know."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rabat.labels import LABELS
from rabat.review.labeling import LABEL, TEXT, config_fields, label_config

pytestmark = pytest.mark.slow

SETUP = {
    "project": "3.1717171717",
    "schema": label_config(),
    "hostname": "http://127.0.0.1:9",
    "access_token": "creator-token-not-to-be-shown",
    "extra_params": None,
}
TEXTS = ["have a nice day", "   ", "you are a silly goose", "we must all meet tonight"]


def tasks(texts: list[str]) -> list[dict[str, Any]]:
    return [{"id": i + 1, "data": {TEXT: text}, "project": 3} for i, text in enumerate(texts)]


def test_health_answers_label_studio(client: httpx.Client) -> None:
    assert client.get("/health").json()["status"] == "ok"


def test_setup_accepts_rabat_form_and_answers_the_model_version(client: httpx.Client) -> None:
    response = client.post("/setup", json=SETUP)
    assert response.status_code == 200
    assert response.json() == {"model_version": client.get("/ready").json()["model_version"]}
    assert "creator-token" not in client.get("/retrain").text


def test_setup_refuses_a_different_label_list(client: httpx.Client) -> None:
    changed = label_config().replace('value="hate_speech"', 'value="hateful"')
    response = client.post("/setup", json={**SETUP, "schema": changed})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "label_config_mismatch" and error["field"] == "schema"
    assert "control 'label' offers" in error["message"] and "'hateful'" in error["message"]
    assert "python -m annotation setup" in error["message"]


def test_setup_without_a_schema_is_a_422(client: httpx.Client) -> None:
    response = client.post("/setup", json={"project": "3.17"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("missing_field", "schema")


def test_predict_answers_one_prediction_per_task_in_order(client: httpx.Client) -> None:
    body = {"tasks": tasks(TEXTS), "project": "3.1717", "label_config": label_config()}
    response = client.post("/predict", json=body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(TEXTS)
    version = client.get("/ready").json()["model_version"]
    controls = config_fields(label_config())
    assert results[1] == {"result": [], "score": 1.0, "model_version": version}  # blank text
    for text, prediction in zip(TEXTS, results, strict=True):
        if not text.strip():
            continue
        assert prediction["model_version"] == version and 0 <= prediction["score"] <= 1
        for item in prediction["result"]:
            assert item["to_name"] == TEXT and item["from_name"] in controls
            chosen = item["value"].get("choices") or item["value"].get("labels")
            assert set(chosen) <= set(controls[item["from_name"]])
        (label,) = [i["value"]["choices"] for i in prediction["result"] if i["from_name"] == LABEL]
        assert label[0] in LABELS
        expected = client.post("/classify", json={"text": text, "explain": False}).json()
        assert label == [expected["label"]]  # the prediction for THIS task, not another's


def test_predict_checks_the_label_config(client: httpx.Client) -> None:
    changed = label_config().replace('value="offensive"', 'value="rude"')
    response = client.post("/predict", json={"tasks": tasks(TEXTS), "label_config": changed})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "label_config_mismatch"


@pytest.mark.parametrize(
    ("task_data", "code", "field"),
    [
        ({"body": "have a nice day"}, "invalid_field", "tasks[1].data.text"),
        ({TEXT: 42}, "invalid_field", "tasks[1].data.text"),
        ({TEXT: "x" * 201}, "text_too_long", "tasks[1].data.text"),
    ],
)
def test_predict_refuses_a_task_it_cannot_read(
    client: httpx.Client, task_data: dict[str, Any], code: str, field: str
) -> None:
    body = {"tasks": [*tasks(["have a nice day"]), {"id": 2, "data": task_data}]}
    response = client.post("/predict", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)


def test_predict_of_no_task_is_no_result(client: httpx.Client) -> None:
    assert client.post("/predict", json={"tasks": []}).json()["results"] == []


def test_annotation_events_are_counted_per_project(client: httpx.Client) -> None:
    def event(action: str, project: int) -> dict[str, Any]:
        body = {"action": action, "project": {"id": project, "title": "t"}, "annotation": {}}
        response = client.post("/webhook", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    first = event("ANNOTATION_CREATED", 41)
    assert first == {
        "status": "ok",
        "action": "ANNOTATION_CREATED",
        "project": 41,
        "annotations_since_training": 1,
        "retraining": None,  # RABAT_RETRAIN_EVERY is off
    }
    assert event("ANNOTATION_UPDATED", 41)["annotations_since_training"] == 2
    assert event("ANNOTATION_CREATED", 42)["annotations_since_training"] == 1
    metrics = client.get("/metrics").text
    assert 'rabat_label_studio_events_total{action="ANNOTATION_CREATED"}' in metrics


def test_an_unknown_action_is_ignored(client: httpx.Client) -> None:
    response = client.post("/webhook", json={"action": "TASKS_CREATED", "tasks": [{"id": 1}]})
    assert response.json() == {"status": "ignored", "action": "TASKS_CREATED"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": {"id": 1}}, "action"),
        ({"action": "ANNOTATION_CREATED", "annotation": {}}, "project"),
        ({"action": "ANNOTATION_CREATED", "project": {"id": "first"}}, "project.id"),
        ({"action": "START_TRAINING"}, "project"),
        ([{"action": "ANNOTATION_CREATED"}], "body"),
    ],
)
def test_a_malformed_event_is_a_422(client: httpx.Client, body: Any, field: str) -> None:
    response = client.post("/webhook", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
