"""The micro-batcher with a plain function for a model: grouping, order, isolation of failures,
one worker thread, back-pressure and shutdown."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from service.batcher import Batcher, BatcherClosed, BatchFailed, QueueFull

R = TypeVar("R")


class Recorder:
    """Upper-cases texts; records each call's size and thread; raises on "boom"; may sleep."""

    def __init__(self, sleep_s: float = 0.0) -> None:
        self.sizes: list[int] = []
        self.threads: set[int] = set()
        self.sleep_s = sleep_s

    def __call__(self, texts: list[str], contexts: list[Any]) -> list[str]:
        self.sizes.append(len(texts))
        self.threads.add(threading.get_ident())
        time.sleep(self.sleep_s)
        if "boom" in texts:
            raise RuntimeError("model failure")
        return [f"{t.upper()}:{c}" for t, c in zip(texts, contexts, strict=True)]


def run(scenario: Callable[[Batcher[str]], Awaitable[R]], model: Recorder, **kwargs: Any) -> R:
    async def main() -> R:
        batcher: Batcher[str] = Batcher(model, **{"max_wait_s": 0.05, **kwargs})
        batcher.start()
        try:
            return await scenario(batcher)
        finally:
            await batcher.stop()

    return asyncio.run(main())


def test_concurrent_requests_share_one_call_in_order() -> None:
    model = Recorder()

    async def scenario(b: Batcher[str]) -> list[list[str]]:
        return await asyncio.gather(*(b.submit([f"t{i}"], [i]) for i in range(10)))

    results = run(scenario, model)
    assert results == [[f"T{i}:{i}"] for i in range(10)]
    assert model.sizes == [10]


def test_batches_hold_at_most_max_size_texts() -> None:
    model = Recorder()

    async def scenario(b: Batcher[str]) -> list[list[str]]:
        return await asyncio.gather(*(b.submit([f"t{i}"], [None]) for i in range(10)))

    run(scenario, model, max_size=4)
    assert model.sizes == [4, 4, 2]


def test_a_large_request_is_split_and_put_back_in_order() -> None:
    model = Recorder()

    async def scenario(b: Batcher[str]) -> list[str]:
        return await b.submit([f"t{i}" for i in range(10)], list(range(10)))

    assert run(scenario, model, max_size=3) == [f"T{i}:{i}" for i in range(10)]
    assert model.sizes == [3, 3, 3, 1]


def test_a_failing_batch_fails_only_its_requests_and_the_worker_goes_on() -> None:
    model = Recorder()

    async def scenario(b: Batcher[str]) -> list[str]:
        failed = asyncio.gather(b.submit(["boom"], [None]), b.submit(["x"], [None]))
        with pytest.raises(BatchFailed, match="batch of 2"):
            await failed
        return await b.submit(["after"], [None])

    assert run(scenario, model) == ["AFTER:None"]


def test_every_call_runs_in_one_worker_thread_and_the_loop_stays_free() -> None:
    model = Recorder(sleep_s=0.05)
    ticks = 0

    async def scenario(b: Batcher[str]) -> None:
        nonlocal ticks

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        task = asyncio.create_task(ticker())
        for i in range(4):
            await b.submit([f"t{i}"], [None])
        task.cancel()

    run(scenario, model, max_wait_s=0.0)
    assert len(model.threads) == 1 and threading.get_ident() not in model.threads
    assert ticks >= 10  # the loop ticked while the model "ran" for 4 x 50 ms


def test_too_many_pending_texts_are_refused() -> None:
    async def scenario(b: Batcher[str]) -> None:
        with pytest.raises(QueueFull, match="limit of 3"):
            await b.submit(["a", "b", "c", "d"], [None] * 4)

    run(scenario, Recorder(), max_pending=3)


def test_stop_answers_queued_requests_then_refuses_new_ones() -> None:
    model = Recorder(sleep_s=0.02)

    async def main() -> tuple[list[list[str]], Batcher[str]]:
        batcher: Batcher[str] = Batcher(model, max_size=2, max_wait_s=0.0)
        batcher.start()
        pending = [asyncio.create_task(batcher.submit([f"t{i}"], [None])) for i in range(5)]
        await asyncio.sleep(0)  # let them queue
        await batcher.stop()
        return await asyncio.gather(*pending), batcher

    results, batcher = asyncio.run(main())
    assert results == [[f"T{i}:None"] for i in range(5)]
    assert not batcher.running

    async def late() -> None:
        with pytest.raises(BatcherClosed):
            await batcher.submit(["late"], [None])

    asyncio.run(late())
