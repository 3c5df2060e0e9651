"""Fixtures with real parts: the corpora directory and a tiny real training run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The corpora: $RABAT_DATA_DIR, else ../shared/data beside the checkout."""
    path = Path(os.environ.get("RABAT_DATA_DIR") or ROOT.parent / "shared" / "data")
    if not (path / "davidson").is_dir():
        pytest.fail(
            f"corpora not found at {path}: set RABAT_DATA_DIR to the folder holding davidson/, "
            "edos/, ... (see docs/corpora.md)"
        )
    return path


@pytest.fixture(scope="session")
def smoke_model_dir(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A real model: configs/smoke.yaml trained for seconds on real rows with the real MiniLM."""
    from training.config import load_config
    from training.train import train

    out = tmp_path_factory.mktemp("smoke")
    config = load_config(ROOT / "configs/smoke.yaml").model_copy(
        update={"data_dir": data_dir, "output_dir": out / "models", "runs_dir": out / "runs"}
    )
    return train(config)


@pytest.fixture(scope="session")
def onnx_model_dir(smoke_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the smoke model with fp32 and int8 ONNX exports."""
    import shutil

    from training.export_onnx import export_fp32, export_record, quantize_int8, write_record

    model_dir = tmp_path_factory.mktemp("onnx") / "model"
    shutil.copytree(smoke_model_dir, model_dir)
    export_fp32(model_dir)
    quantize_int8(model_dir)
    write_record(model_dir, export_record(model_dir, opset=17, weight_type="qint8"))
    return model_dir
