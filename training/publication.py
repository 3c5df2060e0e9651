"""What follows the training loop, as named steps: score the best model on dev and test, refit
its signal heads, calibrate (the prior correction), choose how scores become labels (the
operating point, training/decision.py), measure each split, gate (the functional suites),
calibrate the drop-in formats' attributes (training/attributes.py) and publish. `finish` runs
them in that order.
"""

from __future__ import annotations

import logging
import resource
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rabat.attributes.calibration import CALIBRATION_FILE
from rabat.model.loader import torch_classifier
from rabat.model.meta import ModelMeta
from rabat.model.network import MultiTaskModel
from rabat.model.signal_policy import SIGNAL_POLICY_FILE
from rabat.model.torch_backend import Classifier
from training import artifacts, checkpoint, priors, signal_heads
from training.attributes import fit as fit_attributes
from training.batching import encode
from training.config import TrainConfig
from training.correction import calibrate
from training.dataset import BuiltData
from training.decision import choose_decision
from training.gate import GateRefused, gate
from training.inference import predict_probs
from training.metrics import split_metrics
from training.signal_policy import fit_signal_policy

logger = logging.getLogger(__name__)


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
    metrics = run_metrics(progress)
    scored = score_splits(config, data, best, tokenizer, dev_scored)
    probs = {name: found[0] for name, found in scored.items()}
    metrics["signals"] = signal_heads.refit_on_sample(
        config, data, best, tokenizer, scored["dev"][1]
    )
    bias = calibrate(config, data, probs["dev"], metrics)
    best.add_label_bias(torch.tensor(bias))
    plain = torch_classifier(best, tokenizer, ModelMeta.read(run_dir / "best"))
    decision = choose_decision(config, data, plain, priors.apply(probs["dev"], bias), metrics)
    for name, raw in probs.items():
        frame, fixed = data.splits[name], priors.apply(raw, bias)
        languages = list(frame["language"]) if "language" in frame else ["en"] * len(frame)
        decided = decision.labels(fixed, languages)
        metrics |= split_metrics(name, frame, raw, fixed, decided)
        logger.info("best model %s macro-F1 %.4f", name, metrics[name]["macro_f1"])
    classifier = torch_classifier(best, tokenizer, decision.meta)
    refused = gate(config, decision.cases, decision.predict, metrics)
    attributes = fit_attributes(classifier, data.splits["dev"].to_dict("records"))
    metrics["attributes"] = attributes.report["attributes"]
    shown = fit_signal_policy(classifier, data.splits["dev"].to_dict("records"))
    metrics["signal_policy"] = shown.report
    files = {CALIBRATION_FILE: attributes.to_json(), SIGNAL_POLICY_FILE: shown.to_json()}
    final_dir = publish(
        config, data, run_dir, progress.version, classifier, metrics, not refused, files
    )
    if refused:
        raise GateRefused(final_dir, refused)
    logger.info("published %s", final_dir)
    return final_dir


def run_metrics(progress: checkpoint.Progress) -> dict[str, Any]:
    """The run's own figures, first in metrics.json: version, epochs, time and memory."""
    return {
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


def score_splits(
    config: TrainConfig,
    data: BuiltData,
    model: MultiTaskModel,
    tokenizer: Any,
    dev_scored: tuple[np.ndarray, np.ndarray] | None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dev's and test's probabilities and pooled features (dev reused when the loop has it)."""
    return {
        name: predict_probs(
            model,
            encode(data.splits[name], tokenizer, config.train.max_length),
            tokenizer.pad_token_id,
        )
        if name == "test" or dev_scored is None
        else dev_scored
        for name in ("dev", "test")
    }


def publish(
    config: TrainConfig,
    data: BuiltData,
    run_dir: Path,
    version: str,
    classifier: Classifier,
    metrics: dict[str, Any],
    move_latest: bool,
    extra_files: dict[str, Any] | None = None,
) -> Path:
    """Save the final model and publish it to `models/<name>/<version>/` with its config,
    manifest, metrics and splits; `latest` moves only when `move_latest` (the gate passed)."""
    final = run_dir / "final"
    artifacts.save_model(classifier.model, classifier.tokenizer, classifier.meta, final)
    final_dir = config.output_dir / config.name / version
    artifacts.publish(
        final,
        final_dir,
        files={
            "training_config.yaml": config.to_yaml(),
            "data_manifest.json": data.manifest,
            "metrics.json": metrics,
            **(extra_files or {}),
        },
        dirs={"splits": run_dir / "splits"},
        move_latest=move_latest,
    )
    return final_dir
