"""Damaged model files are named before a library trips over them."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from rabat.model.integrity import DamagedModelError, check_model_files, check_safetensors


def weights(path: Path) -> Path:
    save_file({"a": torch.zeros(64, 64), "b": torch.ones(8)}, str(path))
    return path


def test_a_whole_safetensors_file_passes(tmp_path: Path) -> None:
    check_safetensors(weights(tmp_path / "model.safetensors"))


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda n: n // 2, r"truncated: .* bytes where its header needs"),
        (lambda n: 4, r"4 bytes, too short for a safetensors header"),
        (lambda n: 40, r"the header claims"),
    ],
)
def test_a_cut_safetensors_file_is_named(tmp_path: Path, cut: object, message: str) -> None:
    path = weights(tmp_path / "model.safetensors")
    with path.open("r+b") as handle:
        handle.truncate(cut(path.stat().st_size))  # type: ignore[operator]
    with pytest.raises(
        DamagedModelError, match=rf"damaged model file {path}: {message}.*make train"
    ):
        check_safetensors(path)


def test_a_longer_file_and_a_bad_json_file_are_damaged_too(tmp_path: Path) -> None:
    path = weights(tmp_path / "aux_heads.safetensors")
    with path.open("ab") as handle:
        handle.write(b"junk")
    with pytest.raises(DamagedModelError, match="longer than its header says"):
        check_model_files(tmp_path)
    path.unlink()
    (tmp_path / "config.json").write_text('{"hidden_size": 3')
    with pytest.raises(DamagedModelError, match=r"config.json: not valid JSON"):
        check_model_files(tmp_path)
    (tmp_path / "config.json").write_text("{}")
    weights(tmp_path / "model.safetensors").write_bytes(b"")
    check_model_files(tmp_path, weights=False)  # an ONNX-only load does not read the weights
