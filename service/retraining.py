"""Retraining while the service runs: one job at a time pulls the reviewed rows from Label Studio
(`python -m annotation pull`), trains (`python -m training`), loads and checks the new model, and
swaps it in (`Runtime.swap`). A job that fails at any step leaves the old model serving.

    pulling -> training -> validating -> swapping -> done        (or failed, with the reason)

The steps run as subprocesses: the service imports neither `annotation` nor `training`. Their
output goes to RABAT_RETRAIN_LOG_DIR/<job id>.log, not to the service log. The Label Studio
token reaches the pull only through its environment (RABAT_LS_TOKEN), never argv or a log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from rabat.labels import LABELS
from rabat.model.loader import needs_onnx_export
from rabat.store.files import point_link
from service.steps import (
    StepFailed,
    child_env,
    export_command,
    pull_command,
    run_step,
    train_command,
)

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analysis
    from service.runtime import Runtime, Served

logger = logging.getLogger(__name__)

# Texts a new model must answer sensibly before it serves (mild on purpose: a smoke test).
PROBE_TEXTS = ("have a nice day", "you are a silly goose", "we must all meet tonight")


class JobState(StrEnum):
    PULLING = "pulling"
    TRAINING = "training"
    VALIDATING = "validating"
    SWAPPING = "swapping"
    DONE = "done"
    FAILED = "failed"


class JobFailed(Exception):
    """A step of the job failed; the message says which and why."""


class RetrainBusy(Exception):
    """A job is running; only one runs at a time."""

    def __init__(self, job: RetrainJob) -> None:
        super().__init__(
            f"a retraining job started at {job.started_at.isoformat(timespec='seconds')} is "
            f"running (job {job.id}, {job.state}): wait for it; GET /retrain shows its progress"
        )
        self.job = job


class RetrainUnavailable(Exception):
    """Retraining cannot start with these settings; the message says what to fix."""


@dataclass(frozen=True)
class ReviewSource:
    """A Label Studio project to pull reviewed rows from, and how to reach it."""

    project: int
    url: str
    token: SecretStr


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


class Retrainer:
    """Runs retraining jobs for one runtime, one at a time, in the background."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.job: RetrainJob | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.finished

    def start(self, trigger: str, source: ReviewSource | None = None) -> RetrainJob:
        """Start a job (pulling from `source` first, if given); RetrainBusy while one runs."""
        if self.job is not None and not self.job.finished:
            raise RetrainBusy(self.job)
        config = self.settings.retrain_config
        if not config.is_file():
            raise RetrainUnavailable(
                f"no training config at {config} (RABAT_RETRAIN_CONFIG): point it at a config "
                "such as configs/train.yaml and restart the service"
            )
        job_id = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        job = RetrainJob(
            id=job_id,
            trigger=trigger,
            project=source.project if source else None,
            log_path=(self.settings.retrain_log_dir / f"{job_id}.log").absolute(),
            previous_version=self.runtime.model_version,
            state=JobState.PULLING if source else JobState.TRAINING,
        )
        self.job = job
        self._task = asyncio.get_running_loop().create_task(
            self._run(job, source), name=f"retrain-{job_id}"
        )
        logger.info(
            "retraining job %s started (trigger %s, %s); log %s",
            job.id,
            trigger,
            f"pulling Label Studio project {source.project}" if source else "no pull",
            job.log_path,
        )
        return job

    async def close(self) -> None:
        """Stop a running job (its subprocess is killed); the served model stays."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def validate(self, model_dir: Path) -> Served:
        """Load `model_dir` beside the served model and check it answers sensibly; JobFailed
        (the served model untouched) if it does not."""
        try:
            served = await self.runtime.load(model_dir)
        except Exception as err:  # whatever a broken directory raises, the old model serves on
            raise JobFailed(f"the new model at {model_dir} does not load: {err}") from err
        labels, expected = served.analyzer.classifier.meta.labels, self.runtime.card["labels"]
        if list(labels) != list(expected):
            raise JobFailed(f"the new model's labels {list(labels)} differ from {expected}")
        texts = list(PROBE_TEXTS)
        try:  # in the worker thread, between two batches, like the start-up warm-up
            analyses = await self.runtime.batcher.in_worker(
                served.analyzer.analyze, texts, [None] * len(texts)
            )
        except Exception as err:
            raise JobFailed(
                f"the new model failed on the probe texts: {type(err).__name__}: {err}"
            ) from err
        problems = probe_problems(analyses, len(texts))
        if problems:
            raise JobFailed("the new model's output is unusable: " + "; ".join(problems))
        return served

    async def _run(self, job: RetrainJob, source: ReviewSource | None) -> None:
        self.runtime.metrics.retrain_running.set(1)
        job.log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            async with asyncio.timeout(self.settings.retrain_timeout_s):
                if source is not None:
                    job.reviews_file = await self._pull(job, source)
                job.model_dir = await self._train(job)
                if needs_onnx_export(self.settings.backend):  # the new model needs its ONNX files
                    argv = export_command(job.model_dir)
                    await run_step("exporting to ONNX", argv, child_env({}), job.log_path)
            job.state = JobState.VALIDATING
            served = await self.validate(job.model_dir)
            job.state = JobState.SWAPPING

            def done() -> None:
                job.model_version, job.state = served.version, JobState.DONE

            await self.runtime.swap(served, on_installed=done)
        except TimeoutError:
            job.error = (
                f"the job took longer than {self.settings.retrain_timeout_s:.0f} s "
                f"(RABAT_RETRAIN_TIMEOUT_S) while {job.state}; its step was stopped"
            )
        except (JobFailed, StepFailed) as err:
            job.error = str(err)
        except asyncio.CancelledError:
            job.error = f"the service stopped while the job was {job.state}"
            raise
        except Exception as err:  # a bug: the job fails, the service and its model stay up
            logger.exception("retraining job %s failed unexpectedly", job.id)
            job.error = f"unexpected {type(err).__name__}: {err}"
        finally:
            if job.error is not None:
                # timed out, cancelled or rejected after training moved `latest`: move it back
                job.error += _restore_latest(job.model_dir, self.runtime.served.model_dir)
            self._finish(job)

    def _finish(self, job: RetrainJob) -> None:
        if job.error is not None:
            job.state = JobState.FAILED
            logger.warning("retraining job %s failed: %s", job.id, job.error)
        else:
            logger.info("retraining job %s done: serving %s", job.id, job.model_version)
        job.finished_at = datetime.now(UTC)
        self.runtime.metrics.retrain_jobs.labels(str(job.state)).inc()
        self.runtime.metrics.retrain_running.set(0)

    async def _pull(self, job: RetrainJob, source: ReviewSource) -> Path:
        job.state = JobState.PULLING
        secret = {"RABAT_LS_URL": source.url, "RABAT_LS_TOKEN": source.token.get_secret_value()}
        argv = pull_command(source.project, self.settings.reviews_dir)
        last_line = await run_step("pulling the reviews", argv, child_env(secret), job.log_path)
        reviews = Path(last_line.strip())
        if not last_line.strip() or not reviews.is_file():
            raise JobFailed(
                f"`annotation pull` should print the file it wrote as its last line, printed "
                f"{last_line.strip()!r}, which is not a file; see {job.log_path}"
            )
        return reviews

    async def _train(self, job: RetrainJob) -> Path:
        job.state = JobState.TRAINING
        published = job.log_path.with_suffix(".model-dir")
        argv = train_command(self.settings.retrain_config, job.reviews_file, published)
        await run_step("training", argv, child_env({}), job.log_path)
        try:
            return Path(published.read_text(encoding="utf-8").strip())
        except OSError as err:
            raise JobFailed(
                f"training exited without naming the model it published ({err}); see {job.log_path}"
            ) from None


def probe_problems(analyses: Sequence[Analysis], expected: int) -> list[str]:
    """What is wrong with a model's answers to the probe texts ([] if nothing)."""
    if len(analyses) != expected:
        return [f"{len(analyses)} answers for {expected} probe texts"]
    problems = []
    for i, analysis in enumerate(analyses, 1):
        scores = analysis.prediction.scores
        values = list(scores.values())
        if list(scores) != list(LABELS):
            problems.append(f"probe {i}: scores for {list(scores)}, expected {list(LABELS)}")
        elif not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values):
            problems.append(f"probe {i}: scores {values} are not probabilities")
        elif abs(sum(values) - 1.0) > 1e-3:
            problems.append(f"probe {i}: scores sum to {sum(values):.4f}, not 1")
        elif analysis.prediction.label not in LABELS:
            problems.append(f"probe {i}: unknown label {analysis.prediction.label!r}")
    return problems


def _restore_latest(rejected: Path | None, serving: Path) -> str:
    """Training points `latest` at what it publishes, before the job checks it: point it back
    at the served model, so that a restart does not load the rejected one."""
    if rejected is None:
        return ""
    latest = rejected.parent / "latest"
    if not (latest.is_symlink() and latest.resolve() == rejected.resolve()):
        return ""
    if serving.resolve().parent != latest.parent.resolve():
        return (
            f". Note: training pointed {latest} at this rejected model and the served one lives "
            f"elsewhere ({serving}): a restart that loads {latest} would serve the rejected model"
        )
    point_link(latest, serving.resolve().name)
    return f". {latest} points at the served model {serving.resolve().name} again"
