"""The one place that loads a model directory and picks its backend (a routed pair of two
loaded models is assembled by `rabat.assessment.routing.load_routed`).

    load_classifier(model_dir, "onnx-int8", threads=1).predict(["some text"])

Backends: `torch` (the PyTorch weights), `onnx` (the fp32 ONNX export), `onnx-int8` (the int8
export) and `auto` (int8 ONNX when the model has been exported, else torch). torch and ONNX
Runtime are imported when a model of theirs loads, not when this module is imported. Nothing else
names a backend class or compares a backend's name (tests/rabat/model/test_one_loader.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rabat.model.backend import Backend
from rabat.model.onnx_backend import onnx_file

if TYPE_CHECKING:
    from rabat.model.meta import ModelMeta
    from rabat.model.network import MultiTaskModel
    from rabat.model.torch_backend import Classifier

TORCH = "torch"
ONNX = "onnx"
ONNX_INT8 = "onnx-int8"
AUTO = "auto"
BACKENDS = (TORCH, ONNX, ONNX_INT8)


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
