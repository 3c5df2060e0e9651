"""Fine-tune the encoder with its label and signal heads; read it top to bottom.

    python -m training --config configs/train.yaml

The run lives in `runs/<name>-<fingerprint>/` (checkpoints, best model) and is resumed from there
if interrupted; the finished model is published to `models/<name>/<version>/` and `latest`.
`train` is the loop over epochs; what follows it (score the best model, calibrate, choose the
language shifts, gate, publish) is `training.publication.finish`.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from rabat.labels import LABELS
from rabat.model.meta import ModelMeta
from rabat.model.network import MultiTaskModel
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS
from training import artifacts, checkpoint
from training.batching import Encoded, collate, encode, plan_batches
from training.config import TrainConfig, base_model_path
from training.dataset import build, write_splits
from training.inference import predict_probs
from training.losses import class_weights, multitask_loss
from training.metrics import argmax_labels, compute_metrics
from training.publication import finish

logger = logging.getLogger(__name__)


@dataclass
class Loop:
    """What every training step touches."""

    model: MultiTaskModel
    optimizer: torch.optim.Optimizer
    scheduler: Any
    label_weights: torch.Tensor
    pad_id: int


def train(config: TrainConfig, fresh: bool = False) -> Path:
    """Train per `config` and return the published model directory."""
    torch.set_num_threads(config.train.threads)
    _seed(config.train.seed)
    data = build(config)
    run_dir = config.runs_dir / f"{config.name}-{config.fingerprint()}"
    if fresh:
        (run_dir / checkpoint.CHECKPOINT).unlink(missing_ok=True)
    write_splits(data, run_dir / "splits")

    base = base_model_path(config.base_model, config.output_dir)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = MultiTaskModel.from_base(base)
    model.detach_aux = config.train.aux_detach
    freeze(model, config.train.freeze_layers)
    model.to(device())
    train_set = encode(data.splits["train"], tokenizer, config.train.max_length)
    dev_frame = dev_sample(config, data.splits["dev"])
    dev_set = encode(dev_frame, tokenizer, config.train.max_length)
    loop = make_loop(config, model, train_set, tokenizer.pad_token_id)
    progress = checkpoint.load(run_dir, model, loop.optimizer, loop.scheduler) or (
        checkpoint.Progress(
            version=f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{config.fingerprint()}", dev_history=[]
        )
    )
    meta = model_meta(config, progress.version)

    # The full dev split's probabilities and pooled features at the best epoch, for `finish`.
    best_dev: tuple[np.ndarray, np.ndarray] | None = None
    while progress.epoch < config.train.epochs:
        run_epoch(config, run_dir, progress, loop, train_set)
        probs, pooled = predict_probs(model, dev_set, tokenizer.pad_token_id)
        if record_epoch(progress, dev_frame, probs):
            artifacts.save_model(model, tokenizer, meta, run_dir / "best")
            whole = len(dev_frame) == len(data.splits["dev"])
            best_dev = (probs, pooled) if whole else None
        progress.epoch += 1
        progress.batch = 0
        checkpoint.save(run_dir, progress, model, loop.optimizer, loop.scheduler)

    return finish(config, data, run_dir, progress, tokenizer, best_dev)


def dev_sample(config: TrainConfig, dev: Any) -> Any:
    """The dev rows scored after each epoch: all of them, or `dev_limit` of them."""
    if config.train.dev_limit is not None and len(dev) > config.train.dev_limit:
        return dev.sample(n=config.train.dev_limit, random_state=config.split.seed)
    return dev


def make_loop(config: TrainConfig, model: MultiTaskModel, train_set: Encoded, pad_id: int) -> Loop:
    """AdamW over the trainable weights, a linear schedule with warm-up, the label weights."""
    batches_per_epoch = -(-len(train_set) // config.train.batch_size)
    total_steps = batches_per_epoch * config.train.epochs
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=config.train.learning_rate,
        weight_decay=config.train.weight_decay,
    )
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(total_steps * config.train.warmup_ratio), total_steps
    )
    label_weights = class_weights(train_set.labels.tolist(), config.train.class_weighting)
    label_weights = label_weights.to(device())
    logger.info("label loss weights %s", dict(zip(LABELS, label_weights.tolist(), strict=True)))
    return Loop(model, optimizer, scheduler, label_weights, pad_id)


def model_meta(config: TrainConfig, version: str) -> ModelMeta:
    """What the saved model says about itself (rabat_model.json)."""
    return ModelMeta(
        version=version,
        labels=LABELS,
        target_groups=TARGET_GROUPS,
        binary_signals=BINARY_SIGNALS,
        max_length=config.train.max_length,
        base_model=config.base_model,
    )


def run_epoch(
    config: TrainConfig,
    run_dir: Path,
    progress: checkpoint.Progress,
    loop: Loop,
    train_set: Encoded,
) -> None:
    """The rest of the current epoch's batches, checkpointing every `checkpoint_every` steps."""
    plan = plan_batches(
        [len(ids) for ids in train_set.input_ids],
        config.train.batch_size,
        config.train.length_group_size,
        config.train.seed + progress.epoch,
    )
    loop.model.train()
    bar = tqdm(
        plan,
        desc=f"epoch {progress.epoch + 1}/{config.train.epochs}",
        initial=progress.batch,
        total=len(plan),
        unit="batch",
    )
    started = time.perf_counter()
    for rows in plan[progress.batch :]:
        batch = {k: v.to(device()) for k, v in collate(train_set, rows, loop.pad_id).items()}
        out = loop.model(batch["input_ids"], batch["attention_mask"])
        loss = multitask_loss(
            out,
            batch,
            loop.label_weights,
            config.train.aux_loss_weight,
            config.train.evidence_loss_weight,
        )
        loss.backward()
        torch.nn.utils.clip_grad_norm_(loop.model.parameters(), 1.0)
        loop.optimizer.step()
        loop.scheduler.step()
        loop.optimizer.zero_grad(set_to_none=True)
        progress.batch += 1
        progress.step += 1
        progress.samples += len(rows)
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if progress.step % config.train.checkpoint_every == 0:
            progress.train_seconds += time.perf_counter() - started
            started = time.perf_counter()
            checkpoint.save(run_dir, progress, loop.model, loop.optimizer, loop.scheduler)
    bar.close()
    progress.train_seconds += time.perf_counter() - started


def record_epoch(progress: checkpoint.Progress, dev_frame: Any, probs: np.ndarray) -> bool:
    """Add the epoch's dev macro-F1 to the history; True when it is the best so far."""
    dev = compute_metrics(
        list(dev_frame["label"]), argmax_labels(probs), probs, list(dev_frame["source"])
    )
    assert progress.dev_history is not None
    progress.dev_history.append({"epoch": progress.epoch + 1, "macro_f1": dev["macro_f1"]})
    logger.info("epoch %d dev macro-F1 %.4f", progress.epoch + 1, dev["macro_f1"])
    if dev["macro_f1"] <= progress.best_f1:
        return False
    progress.best_f1, progress.best_epoch = dev["macro_f1"], progress.epoch + 1
    return True


def freeze(model: MultiTaskModel, layers: int) -> None:
    """Freeze the embeddings and the bottom `layers` encoder layers (0: train everything).

    On two CPU cores this is the difference between one epoch in 20 minutes or not: measured
    46 samples/s trained fully, 66 with embeddings and two layers frozen (docs/log/2026-12.md).
    """
    if layers == 0:
        return
    base: Any = model.encoder.base_model
    for param in base.embeddings.parameters():
        param.requires_grad_(False)
    for layer in base.encoder.layer[:layers]:
        for param in layer.parameters():
            param.requires_grad_(False)


def device() -> torch.device:
    """A GPU when PyTorch sees one (the release recipe's long runs), else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
