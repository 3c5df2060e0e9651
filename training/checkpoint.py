"""Resumable run state: written atomically, so an interrupted run restarts where it stopped."""

from __future__ import annotations

import logging
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from rabat.store.files import staged

logger = logging.getLogger(__name__)

CHECKPOINT = "checkpoint.pt"


@dataclass
class Progress:
    """Where a run stands; `batch` counts batches done in the current epoch."""

    version: str
    epoch: int = 0
    batch: int = 0
    step: int = 0
    best_f1: float = -1.0
    best_epoch: int = -1
    samples: int = 0
    train_seconds: float = 0.0
    dev_history: list[dict[str, float]] | None = None


def save(
    run_dir: Path, progress: Progress, model: torch.nn.Module, optimizer: Any, scheduler: Any
) -> None:
    """Write the checkpoint to a temporary file, then rename it over the old one."""
    run_dir.mkdir(parents=True, exist_ok=True)
    state = {
        "progress": asdict(progress),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": {"torch": torch.get_rng_state(), "python": random.getstate()},
    }
    with staged(run_dir / CHECKPOINT) as tmp:  # a failed save leaves the old checkpoint
        torch.save(state, tmp)


def load(run_dir: Path, model: torch.nn.Module, optimizer: Any, scheduler: Any) -> Progress | None:
    """Restore a checkpoint if the run directory has one; None when starting afresh."""
    path = run_dir / CHECKPOINT
    if not path.is_file():
        return None
    state = torch.load(path, weights_only=False, map_location=next(model.parameters()).device)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"]["torch"].cpu())
    random.setstate(state["rng"]["python"])
    progress = Progress(**state["progress"])
    logger.info(
        "resuming %s at epoch %d, batch %d (step %d)",
        path,
        progress.epoch,
        progress.batch,
        progress.step,
    )
    return progress
