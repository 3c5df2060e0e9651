"""Micro-batching: concurrent requests share one model call, made from one worker thread.

Requests put jobs (a few texts each) on an asyncio queue. One collector task takes jobs until
`max_size` texts are gathered or `max_wait_s` has passed since the first, then runs them as ONE
`analyze(texts, contexts)` call in a single dedicated thread: the event loop never blocks, and
torch is only ever called from that thread. Results go back to each job's future in order.

While a batch runs, new jobs wait in the queue, so under load the next batch is full at once.
A failing batch fails only its own jobs (`BatchFailed`); the collector keeps running.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
Analyze = Callable[[list[str], list[Any]], Sequence[T]]
Observe = Callable[[int, float, bool], None]  # (items, seconds, failed)


class BatchFailed(Exception):
    """The analyzer raised on the batch this request was in."""


class QueueFull(Exception):
    """More texts are pending than the queue may hold."""


class BatcherClosed(Exception):
    """The batcher is not running (not started yet, or shutting down)."""


class _Stop:
    """Queued by `stop()`: jobs before it are answered, none come after it."""


_STOP = _Stop()


@dataclass
class _Job(Generic[T]):
    texts: list[str]
    contexts: list[Any]
    future: asyncio.Future[list[T]]


class Batcher(Generic[T]):
    """Groups `submit` calls into `analyze` calls. `start()` in a running loop; `stop()`."""

    def __init__(
        self,
        analyze: Analyze[T],
        max_size: int = 32,
        max_wait_s: float = 0.005,
        max_pending: int = 1024,
        observe: Observe | None = None,
        thread_initializer: Callable[[], None] | None = None,
    ) -> None:
        self._analyze = analyze
        self.max_size, self.max_wait_s, self.max_pending = max_size, max_wait_s, max_pending
        self._observe = observe or (lambda items, seconds, failed: None)
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="rabat-analyze", initializer=thread_initializer
        )
        self._queue: asyncio.Queue[_Job[T] | _Stop] = asyncio.Queue()
        self._carry: _Job[T] | None = None
        self._pending = 0
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._stop_seen = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done() and not self._closed

    @property
    def pending(self) -> int:
        """Texts submitted and not yet answered."""
        return self._pending

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="rabat-batcher")

    async def in_worker(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run `func(*args)` in the worker thread (e.g. a warm-up call), outside any batch."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    async def submit(self, texts: Sequence[str], contexts: Sequence[Any]) -> list[T]:
        """Analyse `texts` (with aligned `contexts`) in shared batches; results in input order."""
        if not self.running:
            raise BatcherClosed("the batcher is not running")
        if self._pending + len(texts) > self.max_pending:
            raise QueueFull(
                f"{self._pending} texts are pending and {len(texts)} more would pass the queue "
                f"limit of {self.max_pending}"
            )
        loop = asyncio.get_running_loop()
        jobs = []
        for start in range(0, len(texts), self.max_size):
            job = _Job[T](
                list(texts[start : start + self.max_size]),
                list(contexts[start : start + self.max_size]),
                loop.create_future(),
            )
            self._pending += len(job.texts)
            job.future.add_done_callback(partial(self._release, len(job.texts)))
            self._queue.put_nowait(job)
            jobs.append(job)
        outcomes = await asyncio.gather(*(job.future for job in jobs), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return [result for part in outcomes for result in part]  # type: ignore[union-attr]

    async def stop(self, timeout_s: float = 30.0) -> None:
        """Answer the jobs already queued, then stop the collector and the worker thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put_nowait(_STOP)
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
            except TimeoutError:
                logger.warning("the batcher did not drain in %.0f s; cancelling it", timeout_s)
                self._task.cancel()
        self._fail_leftovers()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _release(self, items: int, _: object) -> None:
        self._pending -= items

    async def _run(self) -> None:
        while not self._stop_seen:
            jobs = await self._collect()
            try:
                await self._execute(jobs)
            except Exception:  # a bug here must not leave requests waiting forever
                logger.exception("the batcher failed outside the analyzer; failing its batch")
                _fail(jobs, BatchFailed("the batcher failed unexpectedly"))

    async def _collect(self) -> list[_Job[T]]:
        """The next batch: whole jobs, up to `max_size` texts or `max_wait_s` after the first."""
        first = self._carry if self._carry is not None else await self._queue.get()
        self._carry = None
        if isinstance(first, _Stop):
            self._stop_seen = True
            return []
        jobs, size = [first], len(first.texts)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait_s
        while size < self.max_size:
            job = await self._next(deadline - loop.time())
            if job is None:
                break
            if isinstance(job, _Stop):
                self._stop_seen = True
                break
            if size + len(job.texts) > self.max_size:
                self._carry = job
                break
            jobs.append(job)
            size += len(job.texts)
        return jobs

    async def _next(self, remaining_s: float) -> _Job[T] | _Stop | None:
        """A queued job or the stop marker; None once the wait is over and the queue is empty."""
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            if remaining_s <= 0:
                return None
        try:
            return await asyncio.wait_for(self._queue.get(), remaining_s)
        except TimeoutError:
            return None

    async def _execute(self, jobs: list[_Job[T]]) -> None:
        live = [job for job in jobs if not job.future.done()]  # skip cancelled requests
        if not live:
            return
        texts = [text for job in live for text in job.texts]
        contexts = [context for job in live for context in job.contexts]
        started = time.perf_counter()
        try:
            results = list(await self.in_worker(self._analyze, texts, contexts))
            if len(results) != len(texts):
                raise RuntimeError(
                    f"analyze returned {len(results)} results for {len(texts)} texts"
                )
        except Exception as err:
            logger.error("analysis of a batch of %d text(s) failed", len(texts), exc_info=err)
            self._observe(len(texts), time.perf_counter() - started, True)
            _fail(live, BatchFailed(f"the model failed on a batch of {len(texts)} text(s)"))
            return
        self._observe(len(texts), time.perf_counter() - started, False)
        offset = 0
        for job in live:
            if not job.future.done():
                job.future.set_result(results[offset : offset + len(job.texts)])
            offset += len(job.texts)

    def _fail_leftovers(self) -> None:
        leftovers = [self._carry] if self._carry is not None else []
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if not isinstance(job, _Stop):
                leftovers.append(job)
        _fail(leftovers, BatcherClosed("the service is shutting down"))


def _fail(jobs: list[_Job[Any]], error: Exception) -> None:
    for job in jobs:
        if not job.future.done():
            job.future.set_exception(type(error)(*error.args))  # one instance per request
