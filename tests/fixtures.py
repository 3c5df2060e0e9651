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
