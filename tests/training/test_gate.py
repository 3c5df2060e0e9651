"""The publish gate: a model under a functional-suite floor is written but `latest` stays."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from training.config import GateConfig, load_config
from training.gate import GateRefused
from training.train import train

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_a_model_under_a_floor_is_written_and_latest_stays_where_it_was(
    smoke_model_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models" / "rabat-smoke"
    models.mkdir(parents=True)
    (models / "previous").mkdir()
    os.symlink("previous", models / "latest")
    config = load_config(ROOT / "configs/smoke.yaml").model_copy(
        update={
            "data_dir": data_dir,
            "output_dir": tmp_path / "models",
            "runs_dir": tmp_path / "runs",
            "gate": GateConfig(run_suite=True, default_floor=0.99),
        }
    )
    with pytest.raises(
        GateRefused, match=r"publish gate refused .*under their floor: .*< 0\.99"
    ) as refused:
        train(config)
    assert os.readlink(models / "latest") == "previous"
    written = refused.value.model_dir
    metrics = json.loads((written / "metrics.json").read_text())
    assert metrics["gate"]["passed"] is False
    assert set(metrics["gate"]["below"]) == set(refused.value.below)
    assert metrics["functional"]["cases"] > 500

    passing = config.model_copy(update={"gate": GateConfig(run_suite=True, default_floor=0.0)})
    published = train(passing)
    assert (models / "latest").resolve() == published.resolve()
    assert json.loads((published / "metrics.json").read_text())["gate"]["passed"] is True
