"""Following a model path: when `RABAT_FOLLOW_MODEL` (e.g. models/rabat-minilm/latest) comes to
name a complete model other than the one served, it is loaded beside it, checked like a
retrained model (labels, probe texts) and swapped in between two batches.

`make run` on a fresh clone serves a quick model at once and trains the full one in the
background; this is how the full one takes over. It also makes `make train` reach a running
service. A model that fails the check is not served, and the follower waits for the next one.

Complete means: `rabat_model.json` and `metrics.json` are there (training writes the directory
whole, then moves the link), and with an ONNX backend `onnx_export.json` too (the export writes
it last).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rabat.model.loader import needs_onnx_export
from service.model_check import ModelRejected, check_model

if TYPE_CHECKING:
    from service.retraining import Retrainer
    from service.runtime import Runtime

logger = logging.getLogger(__name__)


class Follower:
    """Watches one path every `interval_s` seconds and swaps in what it comes to name."""

    def __init__(self, runtime: Runtime, retrainer: Retrainer, path: Path, interval_s: float):
        self.runtime, self.retrainer, self.path, self.interval_s = (
            runtime,
            retrainer,
            path,
            interval_s,
        )
        self.state = "waiting"
        self.error: str | None = None
        self.swapped_at: str | None = None
        self.rejected: set[Path] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="follow-model")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "state": self.state,
            "swapped_at": self.swapped_at,
            "error": self.error,
        }

    async def _watch(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self.interval_s)

    async def check(self) -> bool:
        """Swap in the followed model if it is new and complete; True when it did."""
        target = self.path.resolve()
        if target == self.runtime.served.model_dir.resolve() or target in self.rejected:
            return False
        if not self.complete(target) or self.retrainer.running:
            return False
        try:
            served = await check_model(self.runtime, target)
        except ModelRejected as err:
            self.rejected.add(target)
            self.state, self.error = "rejected", str(err)
            logger.warning("not serving %s: %s", target, err)
            return False
        await self.runtime.swap(served, on_installed=self._swapped)
        return True

    def _swapped(self) -> None:
        self.state, self.error = "swapped", None
        self.swapped_at = datetime.now(UTC).isoformat(timespec="seconds")

    def complete(self, model_dir: Path) -> bool:
        needed = ["rabat_model.json", "metrics.json"]
        if needs_onnx_export(self.runtime.settings.backend):
            needed.append("onnx_export.json")
        return all((model_dir / name).is_file() for name in needed)
