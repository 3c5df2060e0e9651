"""Watching the queue: take the requests the service writes, oldest first, and run them one at a
time; stop a run when its cancellation is asked; beat the heartbeat all along, so the service
knows a job process is there to ask."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from rabat.store.retrain_queue import HEARTBEAT_S, RetrainQueue, RetrainRequest, now_iso
from retraining.job import run_job

logger = logging.getLogger(__name__)

POLL_S = 0.5


async def watch(
    queue: RetrainQueue, poll_s: float = POLL_S, stop: threading.Event | None = None
) -> None:
    """Run every request that comes, until cancelled (SIGTERM in the CLI) or `stop` is set (a
    watcher in a thread); a run in progress is stopped with it."""
    heart = asyncio.get_running_loop().create_task(_beat(queue), name="retrain-heartbeat")
    logger.info("watching %s for retraining requests", queue.requests)
    try:
        while stop is None or not stop.is_set():
            for job_id in queue.pending():
                request = queue.take(job_id)
                if request is not None:
                    await run_until_cancelled(request, queue, poll_s)
            await asyncio.sleep(poll_s)
    finally:
        heart.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heart


async def run_until_cancelled(request: RetrainRequest, queue: RetrainQueue, poll_s: float) -> None:
    """Run one request; cancel it (killing its step) when the queue says so or we are stopped."""
    run = asyncio.get_running_loop().create_task(run_job(request, queue), name=request.id)
    try:
        while not run.done():
            await asyncio.wait({run}, timeout=poll_s)
            if not run.done() and queue.cancelled(request.id):
                logger.info("retraining job %s: cancellation asked, stopping it", request.id)
                run.cancel()
    finally:
        if not run.done():  # this watcher itself is stopping
            run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run


async def _beat(queue: RetrainQueue) -> None:
    started_at = now_iso()
    while True:
        try:
            queue.beat(started_at)
        except OSError as err:  # a full or vanished disk: say so, and try again
            logger.warning("cannot write the heartbeat %s: %s", queue.heartbeat, err)
        await asyncio.sleep(HEARTBEAT_S)
