"""A real tiny training run with the real MiniLM on real rows; resume; batching; loss weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml

import training.train as train_module
from rabat.labels import LABELS
from rabat.model.network import MultiTaskModel
from training.batching import plan_batches
from training.config import TrainConfig, base_model_path, load_config
from training.losses import class_weights

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_smoke_run_publishes_a_complete_model_directory(smoke_model_dir: Path) -> None:
    names = {p.name for p in smoke_model_dir.iterdir()}
    assert {
        "model.safetensors",
        "aux_heads.safetensors",
        "config.json",
        "tokenizer.json",
        "rabat_model.json",
        "training_config.yaml",
        "data_manifest.json",
        "metrics.json",
        "splits",
    } <= names
    assert (smoke_model_dir.parent / "latest").resolve() == smoke_model_dir.resolve()
    metrics = json.loads((smoke_model_dir / "metrics.json").read_text())
    assert 0.0 <= metrics["dev"]["macro_f1"] <= 1.0 and "test" in metrics
    assert metrics["training"]["samples_per_second"] > 0
    config = yaml.safe_load((smoke_model_dir / "training_config.yaml").read_text())
    assert TrainConfig.model_validate(config).name == "rabat-smoke"
    manifest = json.loads((smoke_model_dir / "data_manifest.json").read_text())
    assert manifest["split"]["seed"] == config["split"]["seed"]
    config_json = json.loads((smoke_model_dir / "config.json").read_text())
    assert [config_json["id2label"][str(i)] for i in range(4)] == list(LABELS)


@pytest.mark.slow
def test_interrupted_run_resumes_where_it_stopped(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(ROOT / "configs/smoke.yaml").model_copy(
        update={
            "data_dir": data_dir,
            "output_dir": tmp_path / "models",
            "runs_dir": tmp_path / "runs",
        }
    )
    real_loss, calls = train_module.multitask_loss, {"n": 0}

    def failing_loss(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 12:
            raise KeyboardInterrupt
        return real_loss(*args, **kwargs)

    monkeypatch.setattr(train_module, "multitask_loss", failing_loss)
    with pytest.raises(KeyboardInterrupt):
        train_module.train(config)
    assert list((tmp_path / "runs").glob("*/checkpoint.pt"))
    assert not (tmp_path / "models").exists()  # nothing half-published

    monkeypatch.setattr(train_module, "multitask_loss", real_loss)
    model_dir = train_module.train(config)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    train_rows = sum(1 for _ in (model_dir / "splits/train.jsonl").open())
    # the checkpoint came after 10 batches of 16; the rest ran once, none twice
    assert metrics["training"]["samples"] == train_rows


def test_plan_covers_every_row_once_and_is_seeded() -> None:
    lengths = [5, 9, 3, 7, 7, 2, 8, 1, 4, 6, 10]
    plan = plan_batches(lengths, batch_size=3, group_size=2, seed=7)
    assert sorted(i for batch in plan for i in batch) == list(range(len(lengths)))
    assert plan == plan_batches(lengths, 3, 2, 7)
    assert plan != plan_batches(lengths, 3, 2, 8)
    for batch in plan:  # within a bucket, a batch holds neighbouring lengths
        assert len(batch) <= 3


def test_class_weights() -> None:
    labels = [0] * 90 + [3] * 10
    flat = class_weights(labels, "none")
    assert torch.allclose(flat, torch.ones(4))
    soft, hard = class_weights(labels, "inverse_sqrt"), class_weights(labels, "inverse")
    assert soft[3] > soft[0] and hard[3] / hard[0] > soft[3] / soft[0]
    assert soft.mean().item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown class_weighting"):
        class_weights(labels, "focal")


@pytest.mark.slow
def test_freeze_keeps_embeddings_and_bottom_layers_fixed() -> None:
    model = MultiTaskModel.from_base(base_model_path("minilm"))
    train_module.freeze(model, 2)
    base = model.encoder.base_model
    assert not any(p.requires_grad for p in base.embeddings.parameters())
    assert not any(p.requires_grad for p in base.encoder.layer[1].parameters())
    assert all(p.requires_grad for p in base.encoder.layer[2].parameters())
    assert all(p.requires_grad for p in model.target_head.parameters())
