"""Fine-tune the encoder with its label and signal heads; read it top to bottom.

    python -m training --config configs/train.yaml

The run lives in `runs/<name>-<fingerprint>/` (checkpoints, best model) and is resumed from there
if interrupted; the finished model is published to `models/<name>/<version>/` and `latest`.
"""

from __future__ import annotations

import logging
import random
import resource
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from rabat.labels import LABELS
from rabat.model.loader import torch_classifier
from rabat.model.meta import ModelMeta
from rabat.model.network import MultiTaskModel
from rabat.model.torch_backend import Classifier
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS, UNKNOWN
from training import artifacts, checkpoint, priors, signal_heads
from training.batching import LABEL_INDEX, Encoded, collate, encode, plan_batches
from training.config import TrainConfig, base_model_path
from training.dataset import BuiltData, build, write_splits
from training.evaluate import compute_metrics
from training.functional import suite
from training.functional.suite import build_cases
from training.losses import class_weights, multitask_loss

logger = logging.getLogger(__name__)


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
    train_set = encode(data.splits["train"], tokenizer, config.train.max_length)
    dev_frame = data.splits["dev"]
    if config.train.dev_limit is not None and len(dev_frame) > config.train.dev_limit:
        dev_frame = dev_frame.sample(n=config.train.dev_limit, random_state=config.split.seed)
    dev_set = encode(dev_frame, tokenizer, config.train.max_length)

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
    progress = checkpoint.load(run_dir, model, optimizer, scheduler) or checkpoint.Progress(
        version=f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{config.fingerprint()}", dev_history=[]
    )
    label_weights = class_weights(train_set.labels.tolist(), config.train.class_weighting)
    logger.info("label loss weights %s", dict(zip(LABELS, label_weights.tolist(), strict=True)))
    meta = ModelMeta(
        version=progress.version,
        labels=LABELS,
        target_groups=TARGET_GROUPS,
        binary_signals=BINARY_SIGNALS,
        max_length=config.train.max_length,
        base_model=config.base_model,
    )

    # The full dev split's probabilities and pooled features at the best epoch, for `finish`.
    best_dev: tuple[np.ndarray, np.ndarray] | None = None
    while progress.epoch < config.train.epochs:
        plan = plan_batches(
            [len(ids) for ids in train_set.input_ids],
            config.train.batch_size,
            config.train.length_group_size,
            config.train.seed + progress.epoch,
        )
        model.train()
        bar = tqdm(
            plan,
            desc=f"epoch {progress.epoch + 1}/{config.train.epochs}",
            initial=progress.batch,
            total=len(plan),
            unit="batch",
        )
        started = time.perf_counter()
        for rows in plan[progress.batch :]:
            batch = collate(train_set, rows, tokenizer.pad_token_id)
            out = model(batch["input_ids"], batch["attention_mask"])
            loss = multitask_loss(
                out,
                batch,
                label_weights,
                config.train.aux_loss_weight,
                config.train.evidence_loss_weight,
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            progress.batch += 1
            progress.step += 1
            progress.samples += len(rows)
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if progress.step % config.train.checkpoint_every == 0:
                progress.train_seconds += time.perf_counter() - started
                started = time.perf_counter()
                checkpoint.save(run_dir, progress, model, optimizer, scheduler)
        bar.close()
        progress.train_seconds += time.perf_counter() - started

        probs, pooled = predict_probs(model, dev_set, tokenizer.pad_token_id)
        dev = compute_metrics(
            list(dev_frame["label"]), _argmax(probs), probs, list(dev_frame["source"])
        )
        assert progress.dev_history is not None
        progress.dev_history.append({"epoch": progress.epoch + 1, "macro_f1": dev["macro_f1"]})
        logger.info("epoch %d dev macro-F1 %.4f", progress.epoch + 1, dev["macro_f1"])
        if dev["macro_f1"] > progress.best_f1:
            progress.best_f1, progress.best_epoch = dev["macro_f1"], progress.epoch + 1
            artifacts.save_model(model, tokenizer, meta, run_dir / "best")
            whole = len(dev_frame) == len(data.splits["dev"])
            best_dev = (probs, pooled) if whole else None
        progress.epoch += 1
        progress.batch = 0
        checkpoint.save(run_dir, progress, model, optimizer, scheduler)

    return finish(config, data, run_dir, progress, tokenizer, best_dev)


def finish(
    config: TrainConfig,
    data: BuiltData,
    run_dir: Path,
    progress: checkpoint.Progress,
    tokenizer: Any,
    dev_scored: tuple[np.ndarray, np.ndarray] | None = None,
) -> Path:
    """Score the best model on dev and test and publish it with config, manifest and metrics.

    `dev_scored`: the best epoch's dev probabilities and features when the loop scored the whole
    dev split, so dev is scored once, not twice (a resumed run scores it again). The auxiliary
    heads are refitted on frozen features first (training/signal_heads.py)."""
    best = MultiTaskModel.load(run_dir / "best")
    metrics: dict[str, Any] = {
        "version": progress.version,
        "best_epoch": progress.best_epoch,
        "dev_history": progress.dev_history,
        "training": {
            "samples": progress.samples,
            "train_seconds": round(progress.train_seconds, 1),
            "samples_per_second": round(progress.samples / max(progress.train_seconds, 1e-9), 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
    }
    scored = {
        name: predict_probs(
            best,
            encode(data.splits[name], tokenizer, config.train.max_length),
            tokenizer.pad_token_id,
        )
        if name == "test" or dev_scored is None
        else dev_scored
        for name in ("dev", "test")
    }
    probs = {name: found[0] for name, found in scored.items()}
    metrics["signals"] = refit_signal_heads(config, data, best, tokenizer, scored["dev"][1])
    bias: np.ndarray = np.zeros(len(LABELS))
    if config.train.prior_correction:
        ratio = priors.log_prior_ratio(
            list(data.splits["train"]["label"]),
            list(data.splits["dev"]["label"]),
            class_weights(
                [LABEL_INDEX[x] for x in data.splits["train"]["label"]],
                config.train.class_weighting,
            ).tolist(),
        )
        correction = priors.choose(probs["dev"], list(data.splits["dev"]["label"]), ratio)
        metrics["prior_correction"] = asdict(correction)
        bias = np.asarray(correction.bias)
        logger.info(
            "prior correction alpha %.1f: dev macro-F1 %.4f -> %.4f",
            correction.alpha,
            correction.dev_macro_f1_before,
            correction.dev_macro_f1_after,
        )
    shifts = choose_language_shifts(config, data.splits["dev"], priors.apply(probs["dev"], bias))
    for name, raw in probs.items():
        frame, corrected = data.splits[name], priors.apply(raw, bias)
        if shifts.shifts:
            corrected = priors.apply_language_shifts(corrected, list(frame["language"]), shifts)
        labels, sources = list(frame["label"]), list(frame["source"])
        metrics[name] = compute_metrics(labels, _argmax(corrected), corrected, sources)
        if "language" in frame and frame["language"].nunique() > 1:
            metrics[f"{name}_per_language"] = per_language(frame, corrected)
        metrics[f"{name}_uncorrected"] = {
            "macro_f1": compute_metrics(labels, _argmax(raw), raw, sources)["macro_f1"]
        }
        logger.info("best model %s macro-F1 %.4f", name, metrics[name]["macro_f1"])
    best.add_label_bias(torch.tensor(bias))
    meta = replace(
        ModelMeta.read(run_dir / "best"),
        language_shift=shifts.shifts,
        language_shift_other=shifts.other,
    )
    if shifts.shifts:
        metrics["language_shift"] = asdict(shifts)
    refused = gate(config, torch_classifier(best, tokenizer, meta), metrics)
    artifacts.save_model(best, tokenizer, meta, run_dir / "final")
    final_dir = config.output_dir / config.name / progress.version
    artifacts.publish(
        run_dir / "final",
        final_dir,
        files={
            "training_config.yaml": config.to_yaml(),
            "data_manifest.json": data.manifest,
            "metrics.json": metrics,
        },
        dirs={"splits": run_dir / "splits"},
        move_latest=not refused,
    )
    if refused:
        raise GateRefused(final_dir, refused)
    logger.info("published %s", final_dir)
    return final_dir


def refit_signal_heads(
    config: TrainConfig,
    data: BuiltData,
    model: MultiTaskModel,
    tokenizer: Any,
    dev_features: np.ndarray,
) -> dict[str, Any]:
    """Refit the auxiliary heads on a sample of training rows' frozen features; their dev
    quality before and after (training/signal_heads.py)."""
    dev = data.splits["dev"]
    before = signal_heads.evaluate(*signal_heads.head_probs(model, dev_features), dev)
    rows = config.train.signal_rows
    if rows == 0:
        return {"refitted": False, "dev": before}
    train = data.splits["train"]
    signals_known = (train[list(BINARY_SIGNALS)] != UNKNOWN).any(axis=1)
    annotated = train[train["targets_known"] | signals_known]
    sample = annotated.sample(n=min(rows, len(annotated)), random_state=config.train.seed)
    started = time.perf_counter()
    _, features = predict_probs(
        model, encode(sample, tokenizer, config.train.max_length), tokenizer.pad_token_id
    )
    fitted = signal_heads.refit(model, features, sample.reset_index(drop=True))
    after = signal_heads.evaluate(*signal_heads.head_probs(model, dev_features), dev)
    logger.info(
        "auxiliary heads refitted on %d rows in %.0f s: targets_detected precision %s -> %s",
        len(sample),
        time.perf_counter() - started,
        before["targets_detected_precision"],
        after["targets_detected_precision"],
    )
    return {
        "refitted": True,
        "rows": len(sample),
        "outputs": fitted,
        "dev_before": before,
        "dev": after,
    }


class GateRefused(RuntimeError):
    """The functional suite found categories under their floors: `latest` was not moved."""

    def __init__(self, model_dir: Path, below: dict[str, tuple[float, float]]) -> None:
        self.model_dir, self.below = model_dir, below
        shortfalls = ", ".join(f"{n} {acc:.3f} < {floor:.2f}" for n, (acc, floor) in below.items())
        super().__init__(
            f"the publish gate refused {model_dir}: functional-suite categories under their "
            f"floor: {shortfalls}. `latest` still points at the model it pointed at; the new "
            "model is written beside it (metrics.json, `functional`) for inspection. Lower a floor "
            "in the config's `gate` only if you accept that weakness."
        )


def gate(config: TrainConfig, classifier: Classifier, metrics: dict[str, Any]) -> dict[str, Any]:
    """Score the functional suite into `metrics` and return the categories under their floors
    (empty: publish)."""
    if not config.gate.run_suite:
        return {}
    cases = build_cases(config.resolved_data_dir(), config.gate.lexicon)
    result = suite.score(cases, lambda texts: probabilities(classifier, texts))
    below = suite.below_floors(result, config.gate.floors, config.gate.default_floor)
    metrics["functional"] = result
    metrics["gate"] = {
        "floors": config.gate.floors,
        "default_floor": config.gate.default_floor,
        "passed": not below,
        "below": {name: {"accuracy": a, "floor": f} for name, (a, f) in below.items()},
    }
    logger.info(
        "functional suite: %.3f overall over %d cases, worst %s %.3f; gate %s",
        result["overall"],
        result["cases"],
        result["worst"],
        result["categories"][result["worst"]]["accuracy"],
        "passed" if not below else f"refused ({', '.join(below)})",
    )
    return below


def choose_language_shifts(
    config: TrainConfig, dev: Any, probs: np.ndarray
) -> priors.LanguageShifts:
    """The hateful labels' shift per language (rabat.model.language_shift), chosen on dev after the
    prior correction; none when turned off or dev has one language."""
    if not config.train.language_shift or "language" not in dev:
        return priors.LanguageShifts({}, 0.0, {})
    shifts = priors.choose_language_shifts(probs, list(dev["label"]), list(dev["language"]))
    for code, found in shifts.languages.items():
        if "dev_macro_f1_after" in found:
            logger.info(
                "language shift %s %+.2f: dev macro-F1 %.4f -> %.4f",
                code,
                found["shift"],
                found["dev_macro_f1_before"],
                found["dev_macro_f1_after"],
            )
    if shifts.shifts:
        logger.info("language shift of every other language %+.2f", shifts.other)
    return shifts


def per_language(frame: Any, probs: np.ndarray) -> dict[str, Any]:
    """Macro-F1, accuracy and rows of each language of a split (the macro-F1 over the labels
    that language's rows hold)."""
    out = {}
    for language in sorted(frame["language"].unique()):
        rows = np.flatnonzero((frame["language"] == language).to_numpy())
        labels = [frame["label"].iloc[i] for i in rows]
        found = compute_metrics(labels, _argmax(probs[rows]), probs[rows])
        out[str(language)] = {
            "n": found["n"],
            "macro_f1": found["macro_f1"],
            "accuracy": found["accuracy"],
            "labels": found["macro_f1_labels"],
        }
    return out


def probabilities(classifier: Classifier, texts: list[str]) -> np.ndarray:
    """Label probabilities in LABELS order for `texts`."""
    return np.asarray([[p.scores[label] for label in LABELS] for p in classifier.predict(texts)])


def freeze(model: MultiTaskModel, layers: int) -> None:
    """Freeze the embeddings and the bottom `layers` encoder layers (0: train everything).

    On two CPU cores this is the difference between one epoch in 20 minutes or not: measured
    46 samples/s trained fully, 66 with embeddings and two layers frozen (README, Measured).
    """
    if layers == 0:
        return
    base: Any = model.encoder.base_model
    for param in base.embeddings.parameters():
        param.requires_grad_(False)
    for layer in base.encoder.layer[:layers]:
        for param in layer.parameters():
            param.requires_grad_(False)


@torch.inference_mode()
def predict_probs(
    model: MultiTaskModel, data: Encoded, pad_id: int, batch_size: int = 128
) -> tuple[np.ndarray, np.ndarray]:
    """Label probabilities and pooled features (for the auxiliary heads) for every row, in row
    order, batched by length."""
    model.eval()
    order = sorted(range(len(data)), key=lambda i: len(data.input_ids[i]))
    probs = np.zeros((len(data), len(LABELS)), dtype=np.float32)
    pooled = np.zeros((len(data), model.target_head.in_features), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch = collate(data, rows, pad_id)
        logits, features = model.features(batch["input_ids"], batch["attention_mask"])
        probs[rows] = torch.softmax(logits.float(), dim=-1).numpy()
        pooled[rows] = features.float().numpy()
    model.train()
    return probs, pooled


def _argmax(probs: np.ndarray) -> list[str]:
    return [LABELS[i] for i in probs.argmax(axis=1)]


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
