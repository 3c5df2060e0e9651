"""The retraining queue both sides share: a request is private and taken once, by the job or
withdrawn by the service, whichever comes first; statuses and the heartbeat read back."""

from __future__ import annotations

import stat
import time
from pathlib import Path

from rabat.store.retrain_queue import FAILED, JobStatus, RetrainQueue, RetrainRequest, new_job_id


def request(job_id: str, **overrides: object) -> RetrainRequest:
    values: dict[str, object] = {
        "id": job_id, "trigger": "api", "config": "/c.yaml", "reviews_dir": "/r", "export": False,
        "timeout_s": 60.0, "project": 3, "ls_url": "http://ls", "ls_token": "secret-token",
    }  # fmt: skip
    return RetrainRequest(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_request_is_private_taken_once_and_keeps_its_token_out_of_repr(tmp_path: Path) -> None:
    queue = RetrainQueue(tmp_path)
    first, second = request("20260101-000000-aaaaaa"), request("20260101-000001-bbbbbb")
    queue.ask(second)
    queue.ask(first)
    assert queue.pending() == [first.id, second.id]  # oldest first
    mode = (queue.requests / f"{first.id}.json").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert queue.take(first.id) == first and queue.take(first.id) is None
    assert queue.pending() == [second.id]
    assert "secret-token" not in repr(first)


def test_whoever_removes_a_request_first_owns_it(tmp_path: Path) -> None:
    queue = RetrainQueue(tmp_path)
    queue.ask(request("a"))
    assert queue.withdraw("a") and queue.take("a") is None  # withdrawn before the job came
    queue.ask(request("b"))
    assert queue.take("b") is not None and not queue.withdraw("b")  # taken: ask to cancel
    assert not queue.cancelled("b")
    queue.cancel("b")
    assert queue.cancelled("b")


def test_statuses_and_the_heartbeat_read_back(tmp_path: Path) -> None:
    queue = RetrainQueue(tmp_path)
    assert queue.read_status("x") is None and queue.watcher_age() is None
    status = JobStatus("x", FAILED, str(queue.log_path("x")), error="training failed")
    queue.write_status(status)
    assert queue.read_status("x") == status and status.finished
    queue.beat("2026-01-01T00:00:00+00:00")
    age = queue.watcher_age()
    assert age is not None and age < 5
    assert queue.log_path("x") == tmp_path / "x.log"


def test_job_ids_sort_by_time() -> None:
    first = new_job_id()
    time.sleep(1.1)
    assert new_job_id() > first
