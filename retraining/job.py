"""One retraining run: pull the reviewed rows from Label Studio (`python -m annotation pull`),
train (`python -m training`, which publishes the new version and points `latest` at it) and
export it to ONNX (`python -m training.export_onnx`), each a subprocess of its own CLI.

    pulling -> training -> exporting -> published        (or failed, with the reason)

The status is written to the queue at every step (`rabat.store.retrain_queue`); the steps'
output goes to the run's log. The Label Studio token reaches the pull only through its
environment, never argv, a log or the status.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from rabat.store.retrain_queue import (
    EXPORTING,
    FAILED,
    PUBLISHED,
    PULLING,
    TRAINING,
    JobStatus,
    RetrainQueue,
    RetrainRequest,
    now_iso,
)
from retraining.steps import StepFailed, child_env, export_command, pull_command, run_step
from retraining.steps import train_command as train_argv

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """A step did not give what the next one needs; the message says which and why."""


async def run_job(request: RetrainRequest, queue: RetrainQueue) -> JobStatus:
    """Run `request` to its end, writing its status at every step; the final status. A
    cancelled run (its step killed) is written as failed, and the cancellation goes on."""
    log_path = queue.log_path(request.id)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    status = JobStatus(request.id, PULLING if request.project else TRAINING, str(log_path))
    queue.write_status(status)
    logger.info("retraining job %s (%s) started; log %s", request.id, request.trigger, log_path)
    try:
        async with asyncio.timeout(request.timeout_s):
            await _steps(request, queue, status, log_path)
        status.state = PUBLISHED
    except TimeoutError:
        status.error = (
            f"the job took longer than {request.timeout_s:.0f} s (RABAT_RETRAIN_TIMEOUT_S, or "
            f"--timeout-s) while {status.state}; its step was stopped"
        )
    except (JobFailed, StepFailed) as err:
        status.error = str(err)
    except asyncio.CancelledError:
        status.error = f"the job was cancelled while {status.state}; its step was stopped"
        raise
    except Exception as err:  # a bug: this run fails, the watcher goes on with the next
        logger.exception("retraining job %s failed unexpectedly", request.id)
        status.error = f"unexpected {type(err).__name__}: {err}"
    finally:
        _finish(queue, status)
    return status


async def _steps(
    request: RetrainRequest, queue: RetrainQueue, status: JobStatus, log_path: Path
) -> None:
    if request.project is not None:
        status.reviews_file = str(await pull(request, log_path))
        status.state = TRAINING
        queue.write_status(status)
    reviews = Path(status.reviews_file) if status.reviews_file else None
    model_dir = await train(request, reviews, log_path)
    status.model_dir = str(model_dir)
    if request.export:
        status.state = EXPORTING
        queue.write_status(status)
        await export(model_dir, log_path)


def _finish(queue: RetrainQueue, status: JobStatus) -> None:
    if status.error is not None:
        status.state = FAILED
        logger.warning("retraining job %s failed: %s", status.id, status.error)
    else:
        logger.info("retraining job %s published %s", status.id, status.model_dir)
    status.finished_at = now_iso()
    queue.write_status(status)


async def pull(request: RetrainRequest, log_path: Path) -> Path:
    """The reviewed rows of the request's project, as the file `annotation pull` wrote."""
    if request.project is None:
        raise JobFailed("a pull needs a Label Studio project; the request names none")
    given = {"RABAT_LS_URL": request.ls_url, "RABAT_LS_TOKEN": request.ls_token}
    secret = {name: value for name, value in given.items() if value}  # else pull's defaults
    argv = pull_command(request.project, Path(request.reviews_dir))
    last_line = (await run_step("pulling the reviews", argv, child_env(secret), log_path)).strip()
    reviews = Path(last_line)
    if not last_line or not reviews.is_file():
        raise JobFailed(
            f"`annotation pull` should print the file it wrote as its last line, printed "
            f"{last_line!r}, which is not a file; see {log_path}"
        )
    return reviews


async def train(request: RetrainRequest, reviews: Path | None, log_path: Path) -> Path:
    """The model directory `python -m training` published."""
    published = log_path.with_suffix(".model-dir")
    argv = train_argv(Path(request.config), reviews, published)
    await run_step("training", argv, child_env({}), log_path)
    try:
        return Path(published.read_text(encoding="utf-8").strip())
    except OSError as err:
        raise JobFailed(
            f"training exited without naming the model it published ({err}); see {log_path}"
        ) from None


async def export(model_dir: Path, log_path: Path) -> None:
    """The fp32 and int8 ONNX files an ONNX backend loads, beside the model."""
    await run_step("exporting to ONNX", export_command(model_dir), child_env({}), log_path)
