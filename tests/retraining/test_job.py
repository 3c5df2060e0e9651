"""One run of the retraining job, its steps replaced by stand-ins or real failing commands: the
status it writes at each step, the log, the secret kept out of both, cancellation, timeouts."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

import retraining.job
from rabat.store.retrain_queue import FAILED, PUBLISHED, RetrainQueue, RetrainRequest
from retraining.__main__ import main
from retraining.watch import run_until_cancelled

TOKEN = "ls-token-that-must-not-leak"


def request(job_id: str = "20260101-000000-abcdef", **overrides: object) -> RetrainRequest:
    values: dict[str, object] = {
        "id": job_id, "trigger": "api", "config": "/no/config.yaml", "reviews_dir": "/r",
        "export": False, "timeout_s": 60.0,
    }  # fmt: skip
    return RetrainRequest(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_run_publishes_what_training_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    queue = RetrainQueue(tmp_path)

    async def train(request: RetrainRequest, reviews: Path | None, log_path: Path) -> Path:
        seen.append(queue.read_status(request.id).state)  # type: ignore[union-attr]
        return tmp_path / "models" / "v2"

    async def export(model_dir: Path, log_path: Path) -> None:
        seen.append(queue.read_status(log_path.stem).state)  # type: ignore[union-attr]

    monkeypatch.setattr(retraining.job, "train", train)
    monkeypatch.setattr(retraining.job, "export", export)
    status = asyncio.run(retraining.job.run_job(request(export=True), queue))
    assert status.state == PUBLISHED and status.model_dir == str(tmp_path / "models" / "v2")
    assert seen == ["training", "exporting"]
    assert queue.read_status(status.id) == status and status.finished_at is not None


def test_a_failing_pull_fails_the_run_and_keeps_the_token_out(tmp_path: Path) -> None:
    queue = RetrainQueue(tmp_path)
    asked = request(
        project=7, ls_url="http://127.0.0.1:9", ls_token=TOKEN, reviews_dir=str(tmp_path)
    )
    status = asyncio.run(retraining.job.run_job(asked, queue))
    assert status.state == FAILED and "pulling the reviews failed" in str(status.error)
    log = queue.log_path(asked.id).read_text()
    assert "-m annotation pull --project 7 --out" in log
    assert TOKEN not in log and TOKEN not in (queue.jobs / f"{asked.id}.json").read_text()


def test_a_run_past_its_timeout_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def train(request: RetrainRequest, reviews: Path | None, log_path: Path) -> Path:
        await asyncio.sleep(60)
        raise AssertionError("not reached")

    monkeypatch.setattr(retraining.job, "train", train)
    status = asyncio.run(retraining.job.run_job(request(timeout_s=0.2), RetrainQueue(tmp_path)))
    assert status.state == FAILED and "longer than 0 s" in str(status.error)
    assert "while training; its step was stopped" in str(status.error)


def test_a_cancelled_run_kills_its_step_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The training command replaced by one that sleeps: the kill and the log are real."""
    queue = RetrainQueue(tmp_path)
    asked = request()

    async def cancel_soon() -> None:
        await asyncio.sleep(0.5)
        queue.cancel(asked.id)

    async def main_() -> None:
        canceller = asyncio.create_task(cancel_soon())
        await run_until_cancelled(asked, queue, poll_s=0.1)
        await canceller

    slow = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(retraining.job, "train_argv", lambda *_: slow)
    asyncio.run(asyncio.wait_for(main_(), 60))
    status = queue.read_status(asked.id)
    assert status is not None and status.state == FAILED
    assert "cancelled while training" in str(status.error)
    assert "[stopped" in queue.log_path(asked.id).read_text()


def test_the_cli_run_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(tmp_path / "absent.yaml"), "--dir", str(tmp_path)]) == 2
    assert "no training config at" in capsys.readouterr().err
