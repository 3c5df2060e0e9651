"""Signal metrics on a real (tiny) model's dev split."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluation.signals import evaluate_signals, main
from rabat.model.torch_backend import Classifier


@pytest.mark.slow
def test_signal_metrics_use_only_annotated_rows(smoke_model_dir: Path) -> None:
    frame = pd.read_json(smoke_model_dir / "splits/dev.jsonl", lines=True)
    result = evaluate_signals(Classifier.load(smoke_model_dir), frame)
    hateful_known = frame["targets_known"] & frame["label"].isin(["hate_speech", "incitement"])
    assert result["target_groups"]["rows"] == int(hateful_known.sum())
    assert result["call_to_violence"]["rows"] == int((frame["call_to_violence"] != -1).sum())
    assert result["dehumanisation"]["positives"] == int((frame["dehumanisation"] == 1).sum())
    for signal in ("call_to_violence", "dehumanisation"):
        auc = result[signal]["roc_auc"]
        assert auc is None or 0.0 <= auc <= 1.0


@pytest.mark.slow
def test_cli_writes_the_report(smoke_model_dir: Path, tmp_path: Path) -> None:
    import shutil

    model = tmp_path / "model"
    shutil.copytree(smoke_model_dir, model)
    assert main(["--model", str(model), "--split", "test"]) == 0
    assert (model / "eval/signals_test.json").is_file()
