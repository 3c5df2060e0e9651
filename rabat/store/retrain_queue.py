"""The retraining queue: how the service asks the retraining job (`python -m retraining watch`,
a process of its own) for a run, and how the job reports back, as files in one directory both
reach (RABAT_RETRAIN_LOG_DIR; a shared volume in compose.yaml).

    <dir>/requests/<id>.json   a request: the service writes it, the job takes (deletes) it
    <dir>/cancel/<id>          asks the job to stop that run (the service is stopping)
    <dir>/jobs/<id>.json       the run's status, rewritten whole at every step
    <dir>/<id>.log             the steps' output
    <dir>/watcher.json         the job's heartbeat: a job process is watching this directory

Every file appears whole (staged beside it, then renamed), so neither side reads half of one.
A request may carry the Label Studio token for the pull: it is written readable by its owner
only, and the job deletes it as it takes it. Whoever deletes a request first owns it: the job
(it runs it) or the service (it withdrew it before it ran).

Standard library only: the service and the job share this contract and import nothing of each
other.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rabat.store.files import staged, write_text

PULLING, TRAINING, EXPORTING, PUBLISHED, FAILED = (
    "pulling", "training", "exporting", "published", "failed"
)  # fmt: skip
FINISHED = frozenset({PUBLISHED, FAILED})
HEARTBEAT_S = 1.0  # how often a watching job rewrites its heartbeat
HEARTBEAT_STALE_S = 30.0  # a heartbeat older than this: no job process is watching


def new_job_id() -> str:
    """A job id that sorts by time: 20260101-120000-a1b2c3."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RetrainRequest:
    """What one run does: pull `project` (when given), train `config`, export when asked."""

    id: str
    trigger: str
    config: str
    reviews_dir: str
    export: bool
    timeout_s: float
    project: int | None = None
    ls_url: str | None = None
    ls_token: str | None = field(default=None, repr=False)  # for the pull's environment only


@dataclass
class JobStatus:
    """Where a run is: pulling, training, exporting, then published or failed (with why)."""

    id: str
    state: str
    log_path: str
    started_at: str = field(default_factory=now_iso)
    finished_at: str | None = None
    reviews_file: str | None = None
    model_dir: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class RetrainQueue:
    """The queue's directory, seen from either side."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.requests, self.cancels, self.jobs = (
            self.root / "requests", self.root / "cancel", self.root / "jobs"
        )  # fmt: skip
        self.heartbeat = self.root / "watcher.json"

    def log_path(self, job_id: str) -> Path:
        return self.root / f"{job_id}.log"

    # --- the service's side -----------------------------------------------------------------

    def ask(self, request: RetrainRequest) -> None:
        """Queue `request`, readable by its owner only (it may hold a token)."""
        self.requests.mkdir(parents=True, exist_ok=True, mode=0o700)
        with staged(self.requests / f"{request.id}.json") as tmp:
            descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                json.dump(asdict(request), out)

    def withdraw(self, job_id: str) -> bool:
        """Take back a request no job has taken yet; False when a job took it already."""
        try:
            (self.requests / f"{job_id}.json").unlink()
        except FileNotFoundError:
            return False
        return True

    def cancel(self, job_id: str) -> None:
        """Ask the job to stop the run `job_id` (it kills the running step)."""
        self.cancels.mkdir(parents=True, exist_ok=True)
        write_text(self.cancels / job_id, now_iso() + "\n")

    def read_status(self, job_id: str) -> JobStatus | None:
        """The run's status, or None before the job has taken the request."""
        try:
            data = json.loads((self.jobs / f"{job_id}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return JobStatus(**_known(JobStatus, data))

    def watcher_age(self) -> float | None:
        """Seconds since a watching job last beat; None when none ever did."""
        try:
            beat = json.loads(self.heartbeat.read_text(encoding="utf-8"))["beat_at"]
        except (FileNotFoundError, KeyError, ValueError):
            return None
        return max(0.0, time.time() - float(beat))

    # --- the job's side ---------------------------------------------------------------------

    def pending(self) -> list[str]:
        """The ids of the requests waiting, oldest first (hidden files are being written)."""
        if not self.requests.is_dir():
            return []
        return sorted(
            path.stem for path in self.requests.glob("*.json") if not path.name.startswith(".")
        )

    def take(self, job_id: str) -> RetrainRequest | None:
        """Read and delete a request; None when the service withdrew it first."""
        path = self.requests / f"{job_id}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            path.unlink()
        except FileNotFoundError:
            return None
        return RetrainRequest(**_known(RetrainRequest, data))

    def cancelled(self, job_id: str) -> bool:
        return (self.cancels / job_id).exists()

    def write_status(self, status: JobStatus) -> None:
        self.jobs.mkdir(parents=True, exist_ok=True)
        write_text(self.jobs / f"{status.id}.json", json.dumps(asdict(status), indent=2) + "\n")

    def beat(self, started_at: str) -> None:
        """The heartbeat: this process is watching."""
        self.root.mkdir(parents=True, exist_ok=True)
        beat = {"pid": os.getpid(), "started_at": started_at, "beat_at": time.time()}
        write_text(self.heartbeat, json.dumps(beat) + "\n")


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of `cls` in `data`: a newer writer's extra fields are ignored."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}
