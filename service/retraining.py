"""Retraining as the service sees it: it asks the retraining job for a run and follows it. The
pull, training and export run in that job (`python -m retraining watch`, a process and image of
its own; the service imports none of it); once the job has published a model, the service checks
it and swaps it in (`Runtime.swap`). A run that fails at any step leaves the old model serving.

    pulling -> training -> validating -> swapping -> done        (or failed, with the reason)

The request goes into RABAT_RETRAIN_LOG_DIR (`rabat.store.retrain_queue`), where the job also writes
its status and each run's log, <job id>.log. The Label Studio token travels in the request, a
file only its owner reads and the job deletes as it takes it; never argv, a log or GET /retrain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from rabat.model.loader import needs_onnx_export
from rabat.store.files import point_link
from rabat.store.retrain_queue import (
    FAILED,
    HEARTBEAT_STALE_S,
    JobStatus,
    RetrainQueue,
    RetrainRequest,
    new_job_id,
)
from service.model_check import ModelRejected, check_model
from service.retrain_job import JobState, RetrainBusy, RetrainJob
from service.runtime import Runtime, Served

logger = logging.getLogger(__name__)

POLL_S = 0.5  # how often the job's status file is read
STOP_WAIT_S = 30.0  # how long a stopping service waits for the job to stop the run
# beyond RABAT_RETRAIN_TIMEOUT_S, which the job enforces itself: the time to notice a lost job
TIMEOUT_MARGIN_S = 60.0


class JobFailed(Exception):
    """A step of the job failed; the message says which and why."""


class RetrainUnavailable(Exception):
    """Retraining cannot start with these settings; the message says what to fix."""


@dataclass(frozen=True)
class ReviewSource:
    """A Label Studio project to pull reviewed rows from, and how to reach it."""

    project: int
    url: str
    token: SecretStr


class Retrainer:
    """Asks the retraining job for runs for one runtime, one at a time, and follows them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.queue = RetrainQueue(self.settings.retrain_log_dir)
        self.job: RetrainJob | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.finished

    def start(self, trigger: str, source: ReviewSource | None = None) -> RetrainJob:
        """Ask for a run (pulling from `source` first, if given); RetrainBusy while one runs."""
        if self.job is not None and not self.job.finished:
            raise RetrainBusy(self.job)
        self._check_ready()
        request = self._request(new_job_id(), trigger, source)
        job = RetrainJob(
            id=request.id,
            trigger=trigger,
            project=request.project,
            log_path=self.queue.log_path(request.id),
            previous_version=self.runtime.model_version,
            state=JobState.PULLING if source else JobState.TRAINING,
        )
        self.queue.ask(request)
        self.job = job
        self._task = asyncio.get_running_loop().create_task(self._run(job), name=job.id)
        logger.info(
            "retraining job %s asked (trigger %s, %s); log %s",
            job.id,
            trigger,
            f"pulling Label Studio project {source.project}" if source else "no pull",
            job.log_path,
        )
        return job

    async def validate(self, model_dir: Path) -> Served:
        """`check_model` against this runtime."""
        return await check_model(self.runtime, model_dir)

    async def close(self) -> None:
        """Stop a running job (the job kills its step); the served model stays."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _check_ready(self) -> None:
        config = self.settings.retrain_config
        if not config.is_file():
            raise RetrainUnavailable(
                f"no training config at {config} (RABAT_RETRAIN_CONFIG): point it at a config "
                "such as configs/train.yaml and restart the service"
            )
        age = self.queue.watcher_age()
        if age is None or age > HEARTBEAT_STALE_S:
            seen = "never" if age is None else f"{age:.0f} s ago"
            raise RetrainUnavailable(
                f"no retraining job watches {self.queue.root} (RABAT_RETRAIN_LOG_DIR; its "
                f"heartbeat {self.queue.heartbeat.name} was last written {seen}): start one with "
                f"`python -m retraining watch --dir {self.queue.root}` (make retrain-watch, or "
                "compose's `retrain` service)"
            )

    def _request(self, job_id: str, trigger: str, source: ReviewSource | None) -> RetrainRequest:
        return RetrainRequest(
            id=job_id,
            trigger=trigger,
            config=str(self.settings.retrain_config.absolute()),
            reviews_dir=str(self.settings.reviews_dir.absolute()),
            export=needs_onnx_export(self.settings.backend),  # the new model needs its ONNX files
            timeout_s=self.settings.retrain_timeout_s,
            project=source.project if source else None,
            ls_url=source.url if source else None,
            ls_token=source.token.get_secret_value() if source else None,
        )

    async def _run(self, job: RetrainJob) -> None:
        self.runtime.metrics.retrain_running.set(1)
        try:
            async with asyncio.timeout(self.settings.retrain_timeout_s + TIMEOUT_MARGIN_S):
                status = await self._follow(job)
            if status.state == FAILED:
                raise JobFailed(status.error or f"the job failed; see {job.log_path}")
            if job.model_dir is None:
                raise JobFailed(f"the job published no model directory; see {job.log_path}")
            job.state = JobState.VALIDATING
            served = await check_model(self.runtime, job.model_dir)
            job.state = JobState.SWAPPING

            def done() -> None:
                job.model_version, job.state = served.version, JobState.DONE

            await self.runtime.swap(served, on_installed=done)
        except TimeoutError:
            self.queue.cancel(job.id)
            job.error = (
                f"the job took longer than {self.settings.retrain_timeout_s:.0f} s "
                f"(RABAT_RETRAIN_TIMEOUT_S) while {job.state}; its step was stopped"
            )
        except (JobFailed, ModelRejected) as err:
            job.error = str(err)
        except asyncio.CancelledError:
            await self._stop(job)
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

    async def _follow(self, job: RetrainJob) -> JobStatus:
        """The job's status, followed until it has published or failed."""
        while True:
            status = self.queue.read_status(job.id)
            if status is not None:
                job.follow(status)
                if status.finished:
                    return status
            age = self.queue.watcher_age()
            if age is not None and age > HEARTBEAT_STALE_S:
                raise JobFailed(
                    f"the retraining job stopped while the job was {job.state} (its heartbeat "
                    f"is {age:.0f} s old): start it again (`python -m retraining watch --dir "
                    f"{self.queue.root}`) and ask once more"
                )
            await asyncio.sleep(POLL_S)

    async def _stop(self, job: RetrainJob) -> None:
        """Withdraw the request, or ask the job to stop the run and wait until it has."""
        if self.queue.withdraw(job.id):
            return
        self.queue.cancel(job.id)
        deadline = time.monotonic() + STOP_WAIT_S
        while time.monotonic() < deadline:
            status = self.queue.read_status(job.id)
            if status is not None and status.finished:
                job.follow(status)
                return
            await asyncio.sleep(POLL_S)
        logger.warning("retraining job %s did not stop within %.0f s", job.id, STOP_WAIT_S)

    def _finish(self, job: RetrainJob) -> None:
        if job.error is not None:
            job.state = JobState.FAILED
            logger.warning("retraining job %s failed: %s", job.id, job.error)
        else:
            logger.info("retraining job %s done: serving %s", job.id, job.model_version)
        job.finished_at = datetime.now(UTC)
        self.runtime.metrics.retrain_jobs.labels(str(job.state)).inc()
        self.runtime.metrics.retrain_running.set(0)


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
