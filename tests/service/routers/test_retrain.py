"""Retraining over real HTTP: a real (tiny) training run swapped in while requests keep being
answered, one job at a time, and jobs that fail at each step leaving the old model serving."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import retraining.job
from rabat.review.labeling import label_config
from rabat.store.retrain_queue import RetrainRequest
from service.app import create_app
from tests.fixtures import copy_model
from tests.service.conftest import (
    ROOT,
    ServerFactory,
    serve,
    settings_for,
    truncate_weights,
    watching_in_thread,
)

# the retraining job runs beside the service, as `python -m retraining watch` (a fixture)
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("retrain_job")]

TOKEN = "ls-token-that-must-not-leak"
CLOSED_PORT_URL = "http://127.0.0.1:9"  # nothing listens: a pull fails after its retries


def write_config(tmp_path: Path, extra: str = "") -> Path:
    """The smoke config, writing its model and runs under tmp_path (a `base:` path is taken
    relative to the including file, or as is when absolute)."""
    config = tmp_path / "retrain.yaml"
    config.write_text(
        f"base: {ROOT / 'configs' / 'smoke.yaml'}\n"
        f"output_dir: {tmp_path / 'models'}\nruns_dir: {tmp_path / 'runs'}\n{extra}"
    )
    return config


def job_settings(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    """Settings for a server whose jobs write only under tmp_path."""
    values = {"retrain_log_dir": tmp_path / "logs", "reviews_dir": tmp_path / "reviews"}
    if "retrain_config" not in overrides:
        values["retrain_config"] = write_config(tmp_path)
    return {**values, **overrides}


def wait_for_job(http: httpx.Client, timeout: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = http.get("/retrain").json()
        if status["state"] in ("done", "failed"):
            return dict(status)
        time.sleep(0.5)
    pytest.fail(f"the job did not finish in {timeout} s")


def wait_for_step(log_path: Path, timeout: float = 60) -> None:
    """Wait until the job has started a step (the log names its command)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log_path.is_file() and "\n$ " in log_path.read_text():
            return
        time.sleep(0.1)
    pytest.fail(f"the job started no step in {timeout} s (log {log_path})")


class Traffic:
    """/classify requests in a background thread while a job runs: every one must succeed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.statuses: list[int] = []
        self.versions: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as http:
            while not self._stop.is_set():
                response = http.post("/classify", json={"text": "have a nice day"})
                self.statuses.append(response.status_code)
                if response.status_code == 200:
                    self.versions.add(response.json()["model_version"])
                time.sleep(0.05)


def test_a_retraining_job_trains_checks_and_swaps_in_a_new_model(
    make_server: ServerFactory,
    tmp_path: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RABAT_DATA_DIR", str(data_dir))
    with (
        make_server(**job_settings(tmp_path)) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        old = http.get("/model").json()["version"]
        assert http.get("/retrain").json() == {"id": None, "state": "idle", "serving_version": old}
        started = http.post("/retrain")
        assert started.status_code == 202
        job = started.json()
        assert job["state"] == "training" and job["previous_version"] == old
        again = http.post("/retrain", json={})
        assert again.status_code == 409
        error = again.json()["error"]
        assert error["code"] == "retrain_running" and job["id"] in error["message"]
        assert "GET /retrain shows its progress" in error["message"]
        with Traffic(url) as traffic:
            status = wait_for_job(http)
        assert status["state"] == "done", status
        new = status["model_version"]
        assert new != old and status["serving_version"] == new
        assert Path(status["model_dir"]).parent == tmp_path / "models" / "rabat-smoke"
        assert http.get("/model").json()["version"] == new
        assert http.get("/ready").json()["model_version"] == new
        classified = http.post("/classify", json={"text": "you are a silly goose"})
        assert classified.status_code == 200 and classified.json()["model_version"] == new
        metrics = http.get("/metrics").text
    assert traffic.statuses and set(traffic.statuses) == {200}
    assert traffic.versions <= {old, new}
    assert f'version="{new}"' in metrics
    assert 'rabat_retrain_jobs_total{outcome="done"} 1.0' in metrics
    assert "-m training --config" in Path(status["log_path"]).read_text()


def test_with_an_onnx_backend_the_job_exports_the_new_model_before_serving_it(
    onnx_model_dir: Path, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RABAT_DATA_DIR", str(data_dir))
    settings = settings_for(
        onnx_model_dir, backend="onnx-int8", evidence=False, **job_settings(tmp_path)
    )
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as http:
        old = http.get("/model").json()["version"]
        assert http.post("/retrain").status_code == 202
        status = wait_for_job(http)
        assert status["state"] == "done", status
        assert (Path(status["model_dir"]) / "model.int8.onnx").is_file()
        assert http.get("/model").json()["version"] == status["model_version"] != old
        assert http.post("/classify", json={"text": "have a nice day"}).status_code == 200
    assert "-m training.export_onnx" in Path(status["log_path"]).read_text()


def test_a_job_whose_new_model_does_not_load_fails_and_the_old_model_serves_on(
    smoke_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Training is replaced by a directory whose weights were cut short (published under
    `latest`, as training does); loading, checking and refusing it are the real thing. The job
    runs in a thread here, so that its training step can be replaced."""
    broken = truncate_weights(copy_model(smoke_model_dir, tmp_path / "models" / "v2", "broken"))
    (tmp_path / "models" / "latest").symlink_to("v2")
    jobs = tmp_path / "jobs"
    app = create_app(settings_for(smoke_model_dir, **job_settings(tmp_path, retrain_log_dir=jobs)))

    async def trained(request: RetrainRequest, reviews: Path | None, log_path: Path) -> Path:
        return broken

    monkeypatch.setattr(retraining.job, "train", trained)
    with (
        watching_in_thread(jobs),
        serve(app) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        old = http.get("/model").json()["version"]
        with Traffic(url) as traffic:
            assert http.post("/retrain").status_code == 202
            status = wait_for_job(http)
        assert status["state"] == "failed" and status["model_version"] is None
        assert f"the new model at {broken} does not load" in status["error"]
        assert "pointed" in status["error"] and "latest" in status["error"]
        assert status["serving_version"] == old == http.get("/model").json()["version"]
        assert http.post("/classify", json={"text": "have a nice day"}).status_code == 200
        assert 'rabat_retrain_jobs_total{outcome="failed"} 1.0' in http.get("/metrics").text
    assert set(traffic.statuses) == {200} and traffic.versions == {old}


def test_a_failing_training_run_fails_the_job(make_server: ServerFactory, tmp_path: Path) -> None:
    config = write_config(tmp_path, "corpora: {}\n")  # invalid: training exits with code 2
    with (
        make_server(**job_settings(tmp_path, retrain_config=config)) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        job = http.post("/retrain").json()
        status = wait_for_job(http)
        assert status["id"] == job["id"] and status["state"] == "failed"
        assert "training failed: the command exited with code 2" in status["error"]
        assert "invalid training config" in Path(status["log_path"]).read_text()
        # the next job may start once this one is over
        assert http.post("/retrain").status_code == 202


def test_a_failing_pull_fails_the_job_and_the_token_stays_secret(
    make_server: ServerFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = job_settings(tmp_path, ls_url=CLOSED_PORT_URL, ls_token=TOKEN)
    with (
        make_server(**settings) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        started = http.post("/retrain", json={"project": 7})
        assert started.status_code == 202 and started.json()["state"] == "pulling"
        status = wait_for_job(http)
    assert status["state"] == "failed" and status["project"] == 7
    assert "pulling the reviews failed" in status["error"]
    log = Path(status["log_path"]).read_text()
    assert "-m annotation pull --project 7 --out" in log
    assert TOKEN not in log and TOKEN not in str(status) and TOKEN not in caplog.text


def test_label_studio_starts_the_same_job_and_is_refused_while_it_runs(
    smoke_model_dir: Path, tmp_path: Path
) -> None:
    """START_TRAINING (and the older /train) for a project connected through /setup pull from
    the Label Studio /setup named; while that job runs, more requests are refused."""
    app = create_app(settings_for(smoke_model_dir, **job_settings(tmp_path)))
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        unknown = http.post("/webhook", json={"action": "START_TRAINING", "project": {"id": 5}})
        assert unknown.status_code == 409
        assert unknown.json()["error"]["code"] == "retrain_unavailable"
        assert "RABAT_LS_URL" in unknown.json()["error"]["message"]
        setup = {"project": "5.1717", "schema": label_config(), "hostname": CLOSED_PORT_URL}
        assert http.post("/setup", json={**setup, "access_token": TOKEN}).status_code == 200
        started = http.post("/webhook", json={"action": "START_TRAINING", "project": {"id": 5}})
        assert started.status_code == 200, started.text
        assert started.json()["status"] == "started" and started.json()["project"] == 5
        busy = http.post("/webhook", json={"action": "START_TRAINING", "project": {"id": 5}})
        assert busy.status_code == 409 and busy.json()["error"]["code"] == "retrain_running"
        legacy = http.post("/train", json={"project": "5.1717", "annotations": []})
        assert legacy.status_code == 409 and legacy.json()["error"]["code"] == "retrain_running"
        status = http.get("/retrain").json()
        assert status["state"] == "pulling" and status["trigger"] == "label_studio"
        retrainer = app.state.retrainer
        # the job takes the request within a poll; stop the service once its pull has started
        wait_for_step(Path(status["log_path"]))
    # stopping the service stops the job (and kills its pull)
    assert retrainer.job.state == "failed" and "the service stopped" in retrainer.job.error
    assert "[stopped" in Path(status["log_path"]).read_text()


def test_enough_annotations_start_a_job(smoke_model_dir: Path, tmp_path: Path) -> None:
    settings = job_settings(tmp_path, retrain_every=2)
    app = create_app(settings_for(smoke_model_dir, **settings))
    event = {"action": "ANNOTATION_CREATED", "project": {"id": 8}, "annotation": {"id": 1}}
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.post("/webhook", json=event).json()["retraining"] is None
        refused = http.post("/webhook", json=event).json()  # the second: project 8 is unknown
        assert refused["retraining"] is None and "project 8" in refused["retraining_refused"]
        setup = {"project": "8.1", "schema": label_config(), "hostname": CLOSED_PORT_URL}
        http.post("/setup", json={**setup, "access_token": TOKEN})
        started = http.post("/webhook", json=event).json()
        assert started["annotations_since_training"] == 3 and started["retraining"]
        status = http.get("/retrain").json()
        assert status["id"] == started["retraining"] and status["trigger"] == "annotations"
        after = http.post("/webhook", json={**event, "action": "ANNOTATION_UPDATED"}).json()
        assert after["annotations_since_training"] == 1  # counted again from the job's start


def test_retraining_that_cannot_start_says_why(make_server: ServerFactory, tmp_path: Path) -> None:
    settings = job_settings(tmp_path, retrain_config=tmp_path / "absent.yaml")
    with make_server(**settings) as url, httpx.Client(base_url=url, timeout=60) as http:
        missing = http.post("/retrain")
        assert missing.status_code == 409
        assert "RABAT_RETRAIN_CONFIG" in missing.json()["error"]["message"]
        unknown = http.post("/retrain", json={"project": 3, "force": True})
        assert unknown.status_code == 422
        assert unknown.json()["error"]["code"] == "unknown_field"
        assert http.post("/retrain", json={"project": 0}).status_code == 422
