"""An optional ONNX Runtime backend: the same predictions as `Classifier`, from exported files.

`python -m training.export_onnx --model DIR` writes, beside the PyTorch weights:

    model.onnx          the whole multi-task network (label, signal and evidence heads), fp32
    model.int8.onnx     the same with int8 weights (dynamic quantisation)
    onnx_export.json    the opset, file sizes, and parity and accuracy against PyTorch

`OnnxClassifier.load(DIR).predict(["some text"])` then works like `Classifier`; text cleaning,
truncation and the mapping to `Prediction`s are `rabat.model.backend`'s, shared. onnxruntime is
imported on load, not at import time.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from rabat.model.backend import Backend
from rabat.model.integrity import ONNX_FIX, check_model_files, damaged
from rabat.model.meta import ModelMeta
from rabat.model.windows import Rows

logger = logging.getLogger(__name__)

FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
EXPORT_FILE = "onnx_export.json"
INPUT_NAMES = ("input_ids", "attention_mask")
OUTPUT_NAMES = ("label_logits", "target_logits", "binary_logits", "evidence_logits")
EXPORT_HINT = "run `python -m training.export_onnx --model {dir}` to export it"


def onnx_file(model_dir: str | Path, quantized: bool) -> Path:
    """Where the fp32 or the int8 ONNX file of a model directory lives."""
    return Path(model_dir) / (INT8_FILE if quantized else FP32_FILE)


class OnnxClassifier(Backend):
    """A Rabat model run by ONNX Runtime. `OnnxClassifier.load(model_dir).predict(["text"])`."""

    def __init__(
        self, session: Any, tokenizer: object, meta: ModelMeta, batch_size: int = 32
    ) -> None:
        super().__init__(tokenizer, meta, batch_size)
        self.session = session

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        quantized: bool = True,
        threads: int | None = None,
        batch_size: int = 32,
    ) -> OnnxClassifier:
        """Load the int8 (or fp32) ONNX file of a model directory; `threads` None lets ORT pick."""
        path = Path(model_dir)
        check_model_files(path, weights=False)
        meta = ModelMeta.read(path)
        onnx_path = onnx_file(path, quantized)
        _check_export(path, onnx_path, meta)
        session = _session(onnx_path, threads)
        tokenizer = load_tokenizer(path)
        logger.info("loaded ONNX model %s from %s", meta.version, onnx_path)
        return cls(session, tokenizer, meta, batch_size=batch_size)

    def _run(self, ids: list[list[int]]) -> tuple[Rows, Rows, Rows, Rows]:
        batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="np")  # type: ignore[attr-defined]
        feed = {name: batch[name].astype(np.int64) for name in INPUT_NAMES}
        label, target, binary, evidence = self.session.run(list(OUTPUT_NAMES), feed)
        return (
            softmax(label).tolist(),
            sigmoid(target).tolist(),
            sigmoid(binary).tolist(),
            sigmoid(evidence).tolist(),
        )


def load_tokenizer(model_dir: Path) -> Any:
    """The tokenizer class `tokenizer_config.json` names, imported from transformers directly:
    what AutoTokenizer loads (the class matters: XLM-R's builds its own pre-tokenizer, so its
    offsets differ from a bare tokenizer.json's), without the torch import AutoTokenizer brings
    (the scorer's worker processes stay torch-free)."""
    import transformers

    config = json.loads((model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    name = str(config.get("tokenizer_class", ""))
    cls = getattr(transformers, name, None) or getattr(transformers, f"{name}Fast", None)
    if cls is None:  # a class this version does not export: let AutoTokenizer find it
        cls = transformers.AutoTokenizer
    return cls.from_pretrained(str(model_dir))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float32, as `torch.softmax` computes it."""
    shifted = logits.astype(np.float32) - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Element-wise logistic function in float32."""
    return 1.0 / (1.0 + np.exp(-logits.astype(np.float32)))


def _check_export(model_dir: Path, onnx_path: Path, meta: ModelMeta) -> None:
    """Fail loudly when the ONNX file is missing or was exported from another model version."""
    hint = EXPORT_HINT.format(dir=model_dir)
    record_path = model_dir / EXPORT_FILE
    if not onnx_path.is_file() or not record_path.is_file():
        missing = onnx_path if not onnx_path.is_file() else record_path
        raise FileNotFoundError(f"{missing} not found: {model_dir} has no ONNX export; {hint}.")
    exported = json.loads(record_path.read_text(encoding="utf-8")).get("version")
    if exported != meta.version:
        raise ValueError(
            f"{onnx_path} was exported from model version {exported!r}, but {model_dir} holds "
            f"version {meta.version!r}: the ONNX files are stale; {hint} again."
        )


def _session(onnx_path: Path, threads: int | None) -> Any:
    try:
        import onnxruntime as ort
    except ImportError as error:
        raise ImportError(
            "the ONNX backend needs onnxruntime, which is not installed: "
            "`pip install onnxruntime`, or use rabat.model.torch_backend.Classifier instead."
        ) from error
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be a positive integer or None, got {threads}.")
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    from onnxruntime.capi import onnxruntime_pybind11_state as ort_errors

    unreadable = (ort_errors.InvalidProtobuf, ort_errors.InvalidGraph, ort_errors.Fail)
    try:
        return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    except unreadable as err:
        first = str(err).splitlines()[0][:200]
        fix = ONNX_FIX.format(dir=onnx_path.parent)
        raise damaged(onnx_path, f"ONNX Runtime cannot read it ({first})", fix) from None
