"""A retraining job as GET /retrain shows it: its state, what it pulled and published, why it
failed; and the refusal while one runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rabat.store.retrain_queue import FAILED, PUBLISHED, PULLING, JobStatus


class JobState(StrEnum):
    PULLING = "pulling"
    TRAINING = "training"
    VALIDATING = "validating"
    SWAPPING = "swapping"
    DONE = "done"
    FAILED = "failed"


@dataclass
class RetrainJob:
    id: str
    trigger: str
    project: int | None
    log_path: Path
    previous_version: str
    state: JobState = JobState.TRAINING
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    reviews_file: Path | None = None
    model_dir: Path | None = None
    model_version: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def to_dict(self) -> dict[str, Any]:
        """What GET /retrain shows (never a token)."""
        return {
            "id": self.id,
            "state": str(self.state),
            "trigger": self.trigger,
            "project": self.project,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds")
            if self.finished_at
            else None,
            "reviews_file": str(self.reviews_file) if self.reviews_file else None,
            "model_dir": str(self.model_dir) if self.model_dir else None,
            "model_version": self.model_version,
            "previous_version": self.previous_version,
            "error": self.error,
            "log_path": str(self.log_path),
        }

    def follow(self, status: JobStatus) -> None:
        """Take what the job reports (its exporting is training, seen from here)."""
        if status.state not in (PUBLISHED, FAILED):
            self.state = JobState.PULLING if status.state == PULLING else JobState.TRAINING
        self.reviews_file = Path(status.reviews_file) if status.reviews_file else None
        self.model_dir = Path(status.model_dir) if status.model_dir else None


class RetrainBusy(Exception):
    """A job is running; only one runs at a time."""

    def __init__(self, job: RetrainJob) -> None:
        super().__init__(
            f"a retraining job started at {job.started_at.isoformat(timespec='seconds')} is "
            f"running (job {job.id}, {job.state}): wait for it; GET /retrain shows its progress"
        )
        self.job = job
