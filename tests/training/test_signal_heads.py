"""The auxiliary heads refitted on frozen features: low on neutral text, and the fit is what the
heads then compute."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS, UNKNOWN
from training.signal_heads import evaluate, head_probs, refit

NEUTRAL = ["have a nice day", "the weather is mild today", "see you at the library at noon"]


def test_refit_writes_logistic_regressions_into_the_heads() -> None:
    from rabat.model.network import MultiTaskModel

    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, 8)).astype(np.float32)
    religion = features[:, 0] > 0.5  # a group that one feature tells apart
    frame = pd.DataFrame(
        {
            "targets": [["religion"] if r else [] for r in religion],
            "targets_known": True,
            "call_to_violence": np.where(features[:, 1] > 1.0, 1, 0),
            "dehumanisation": UNKNOWN,
        }
    )
    model = MultiTaskModel.__new__(MultiTaskModel)
    torch.nn.Module.__init__(model)
    model.target_head = torch.nn.Linear(8, len(TARGET_GROUPS))
    model.binary_head = torch.nn.Linear(8, len(BINARY_SIGNALS))
    fitted = refit(model, features, frame)
    assert fitted["religion"]["fitted"] and not fitted["gender"]["fitted"]  # no positives
    assert not fitted["dehumanisation"]["fitted"]  # never annotated
    targets, signals = head_probs(model, features)
    group = TARGET_GROUPS.index("religion")
    assert targets[religion, group].mean() > 0.7 > 0.3 > targets[~religion, group].mean()
    quality = evaluate(targets, signals, frame)
    assert quality["religion"]["roc_auc"] > 0.95 and quality["religion"]["ece"] < 0.1
    assert quality["targets_detected_precision"] is not None


@pytest.mark.slow
def test_the_smoke_models_signals_are_low_on_neutral_text(smoke_model_dir: Path) -> None:
    from rabat.model.torch_backend import Classifier

    metrics = json.loads((smoke_model_dir / "metrics.json").read_text())
    assert metrics["signals"]["refitted"] is True
    predictions = Classifier.load(smoke_model_dir).predict(NEUTRAL)
    for p in predictions:
        assert max(p.target_groups.values()) < 0.5, p.target_groups
        assert p.call_to_violence < 0.5
