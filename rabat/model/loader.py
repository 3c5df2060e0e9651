"""The one place that loads a model directory: it picks the backend and assembles a routed pair.

    load_classifier(model_dir, "onnx-int8", threads=1).predict(["some text"])
    load_routed(load_one, model_dir, route_model_dir, ["en"])   # one Analyzer, or two routed

Backends: `torch` (the PyTorch weights), `onnx` (the fp32 ONNX export), `onnx-int8` (the int8
export) and `auto` (int8 ONNX when the model has been exported, else torch). torch and ONNX
Runtime are imported when a model of theirs loads, not when this module is imported. Nothing else
names a backend class or compares a backend's name (tests/rabat/model/test_one_loader.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from rabat.model.backend import Backend
from rabat.model.onnx_backend import onnx_file

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analyzer
    from rabat.model.meta import ModelMeta
    from rabat.model.network import MultiTaskModel
    from rabat.model.routing import RoutedAnalyzer
    from rabat.model.torch_backend import Classifier

TORCH = "torch"
ONNX = "onnx"
ONNX_INT8 = "onnx-int8"
AUTO = "auto"
BACKENDS = (TORCH, ONNX, ONNX_INT8)
# the roles of a routed pair, as `RoutedAnalyzer.route` names them
PRIMARY, OTHER = "primary", "other"


def resolve_backend(model_dir: str | Path, backend: str) -> str:
    """`backend` itself, or for `auto`: `onnx-int8` when the model has its int8 export, else
    `torch`."""
    if backend == AUTO:
        return ONNX_INT8 if onnx_file(model_dir, quantized=True).is_file() else TORCH
    return backend


def load_classifier(
    model_dir: str | Path, backend: str = TORCH, threads: int | None = None, batch_size: int = 32
) -> Backend:
    """The model of `model_dir` run by `backend`; `threads` sets ONNX Runtime's threads (None lets
    it pick; torch's are set process-wide by the caller)."""
    backend = resolve_backend(model_dir, backend)
    if backend == TORCH:
        return load_torch(model_dir, batch_size=batch_size)
    if backend not in (ONNX, ONNX_INT8):
        raise ValueError(f"unknown backend {backend!r}: expected torch, onnx or onnx-int8")
    from rabat.model.onnx_backend import OnnxClassifier

    return OnnxClassifier.load(
        model_dir, quantized=backend == ONNX_INT8, threads=threads, batch_size=batch_size
    )


def load_torch(model_dir: str | Path, batch_size: int = 32) -> Classifier:
    """The PyTorch model of `model_dir`, for callers that read its network (gradients)."""
    from rabat.model.torch_backend import Classifier  # torch loads here, not for ONNX

    return Classifier.load(model_dir, batch_size=batch_size)


def torch_classifier(
    model: MultiTaskModel, tokenizer: object, meta: ModelMeta, batch_size: int = 32
) -> Classifier:
    """A PyTorch model already in memory (training's own best checkpoint), as a classifier."""
    from rabat.model.torch_backend import Classifier

    return Classifier(model, tokenizer, meta, batch_size=batch_size)


def needs_onnx_export(backend: str) -> bool:
    """Whether a model served with `backend` needs its ONNX files."""
    return backend != TORCH


def load_routed(
    load_one: Callable[[Path, str], Analyzer],
    model_dir: Path,
    route_model_dir: Path | None,
    languages: Collection[str],
) -> Analyzer | RoutedAnalyzer:
    """`load_one(model_dir, "primary")`, or with `route_model_dir` that and
    `load_one(route_model_dir, "other")` routed by language (`rabat.model.routing`); a
    ValueError when the two cannot be routed between."""
    from rabat.model.routing import RoutedAnalyzer

    primary = load_one(model_dir, PRIMARY)
    if route_model_dir is None:
        return primary
    return RoutedAnalyzer(primary, load_one(route_model_dir, OTHER), languages)
