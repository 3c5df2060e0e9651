"""The one loader's choices, without loading a model: `auto`, unknown backends; the routed pair."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rabat.assessment.routing import RoutedAnalyzer, load_routed
from rabat.labels import LABELS
from rabat.model.loader import load_classifier, needs_onnx_export, resolve_backend
from rabat.model.onnx_backend import INT8_FILE


def test_auto_is_int8_onnx_when_exported_else_torch(tmp_path: Path) -> None:
    assert resolve_backend(tmp_path, "auto") == "torch"
    (tmp_path / INT8_FILE).write_bytes(b"")
    assert resolve_backend(tmp_path, "auto") == "onnx-int8"
    assert resolve_backend(tmp_path, "onnx") == "onnx"


def test_an_unknown_backend_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown backend 'tensorrt': expected torch, onnx or"):
        load_classifier(tmp_path, "tensorrt")


def test_only_torch_needs_no_onnx_files() -> None:
    assert not needs_onnx_export("torch")
    assert needs_onnx_export("onnx") and needs_onnx_export("onnx-int8")


def _fake(version: str) -> Any:
    meta = SimpleNamespace(labels=LABELS, version=version)
    return SimpleNamespace(classifier=SimpleNamespace(meta=meta, version=version))


def test_one_model_or_a_routed_pair(tmp_path: Path) -> None:
    loaded: list[tuple[Path, str]] = []

    def load_one(model_dir: Path, role: str) -> Any:
        loaded.append((model_dir, role))
        return _fake(model_dir.name)

    one = load_routed(load_one, tmp_path / "a", None, ["en"])
    assert one.classifier.version == "a" and loaded == [(tmp_path / "a", "primary")]
    loaded.clear()
    pair = load_routed(load_one, tmp_path / "a", tmp_path / "b", ["en"])
    assert isinstance(pair, RoutedAnalyzer) and pair.languages == {"en"}
    assert loaded == [(tmp_path / "a", "primary"), (tmp_path / "b", "other")]
