"""From the int8 ONNX file back to PyTorch: every parameter the graph holds is found, dequantised
within int8's error, and the rebuilt model predicts as the one it was exported from (the smoke
model, exported for real)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from rabat.model.network import MultiTaskModel
from training.release_weights import (
    MAP_FILE,
    dequantised_state,
    ensure_release_base,
    write_weights_map,
)

TEXTS = ["have a nice day", "you are a silly goose", "the meeting starts at nine"]


def exported_copy(onnx_model_dir: Path, target: Path) -> Path:
    shutil.copytree(onnx_model_dir, target)
    write_weights_map(target)
    return target


def test_every_parameter_the_graph_uses_is_mapped_and_dequantised_closely(
    onnx_model_dir: Path, tmp_path: Path
) -> None:
    model_dir = exported_copy(onnx_model_dir, tmp_path / "model")
    weights_map = json.loads((model_dir / MAP_FILE).read_text())
    state = MultiTaskModel.load(model_dir).state_dict()
    unmapped = set(weights_map["not_in_graph"])
    assert all("pooler" in name for name in unmapped), unmapped
    found = dequantised_state(model_dir / "model.int8.onnx", weights_map)
    assert set(found) == set(state) - unmapped
    for name, value in found.items():
        reference = state[name]
        assert value.shape == reference.shape, name
        # int8: within one quantisation step of the tensor's (or column's) range
        step = reference.abs().max().item() / 127 + 1e-6
        assert (value - reference).abs().max().item() <= step * 1.01, name


def test_the_rebuilt_model_predicts_as_the_exported_one(
    onnx_model_dir: Path, tmp_path: Path
) -> None:
    release = exported_copy(onnx_model_dir, tmp_path / "release")
    base = ensure_release_base(release, tmp_path / "bases")
    assert base.name.startswith("release-")
    assert ensure_release_base(release, tmp_path / "bases") == base  # once per version
    rebuilt = MultiTaskModel.from_base(base).eval()
    original = MultiTaskModel.load(onnx_model_dir).eval()
    from transformers import AutoTokenizer

    batch = AutoTokenizer.from_pretrained(str(base))(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        a = original(batch["input_ids"], batch["attention_mask"])
        b = rebuilt(batch["input_ids"], batch["attention_mask"])
    # the rebuilt head is the head as trained: the prior correction folded into it is taken out
    bias = json.loads((release / "metrics.json").read_text())["prior_correction"]["bias"]
    corrected = b["label_logits"] + torch.tensor(bias)
    assert torch.allclose(a["label_logits"], corrected, atol=0.25)
    assert torch.equal(a["label_logits"].argmax(-1), corrected.argmax(-1))
    for head in ("target_logits", "binary_logits"):
        assert torch.allclose(a[head], b[head], atol=0.25), head
