"""Export a model directory to ONNX (fp32 and int8), check it against PyTorch, and benchmark it.

    python -m training.export_onnx --model models/rabat-minilm/latest
    python -m training.export_onnx --model DIR --no-quantize --dev-limit 3000
    python -m training.export_onnx --model DIR --bench --threads 1 2   # timing table, no export

Writes `model.onnx`, `model.int8.onnx` and `onnx_export.json` into DIR (each to a temporary file,
then renamed), then scores PyTorch, ONNX fp32 and ONNX int8 on DIR/splits/dev.jsonl and adds the
parity and macro-F1 numbers to `onnx_export.json` (training/onnx_parity.py; the benchmark:
training/onnx_benchmark.py). `rabat.model.onnx_backend.OnnxClassifier` loads them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import AutoTokenizer

from rabat.model.meta import ModelMeta
from rabat.model.network import MultiTaskModel
from rabat.model.onnx_backend import EXPORT_FILE, FP32_FILE, INPUT_NAMES, INT8_FILE, OUTPUT_NAMES
from training.onnx_benchmark import bench, format_bench
from training.onnx_parity import check_on_dev

logger = logging.getLogger(__name__)

OPSET = 17


class _TupleOutputs(nn.Module):
    """MultiTaskModel with positional outputs, which is what the ONNX exporter names."""

    def __init__(self, model: MultiTaskModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[Any, ...]:
        out = self.model(input_ids, attention_mask)
        return tuple(out[name] for name in OUTPUT_NAMES)


def export_fp32(model_dir: Path, opset: int = OPSET) -> Path:
    """Trace the whole network (every head) to DIR/model.onnx with dynamic batch and length."""
    model = _TupleOutputs(MultiTaskModel.load(model_dir).eval())
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    # Two texts of different lengths, so the traced graph sees a padded attention mask.
    sample = tokenizer(["have a nice day", "you are a silly goose, said the friendly owl"])
    batch = tokenizer.pad(sample, return_tensors="pt")
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    axes.update({name: {0: "batch"} for name in OUTPUT_NAMES})
    axes["evidence_logits"] = {0: "batch", 1: "sequence"}  # one logit per token
    target = model_dir / FP32_FILE
    with _atomic(target) as tmp, warnings.catch_warnings():
        # The TorchScript exporter works offline with no extra package (the dynamo one needs
        # onnxscript); its tracer warnings are about shape checks that parity tests cover.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (batch["input_ids"], batch["attention_mask"]),
            str(tmp),
            dynamo=False,
            input_names=list(INPUT_NAMES),
            output_names=list(OUTPUT_NAMES),
            dynamic_axes=axes,
            opset_version=opset,
        )
    logger.info("wrote %s (%d bytes)", target, target.stat().st_size)
    return target


def quantize_int8(model_dir: Path, weight_type: str = "qint8") -> Path:
    """Dynamic int8 quantisation of DIR/model.onnx (per-channel weights) to DIR/model.int8.onnx."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    types = {"qint8": QuantType.QInt8, "quint8": QuantType.QUInt8}
    target = model_dir / INT8_FILE
    # quantize_dynamic logs every tensor at INFO on the root logger, hence the muting; its advice
    # to pre-process first does not apply: symbolic shape inference fails on this graph.
    with _atomic(target) as tmp:
        logging.disable(logging.INFO)
        try:
            quantize_dynamic(
                model_dir / FP32_FILE, tmp, weight_type=types[weight_type], per_channel=True
            )
        finally:
            logging.disable(logging.NOTSET)
    logger.info("wrote %s (%d bytes)", target, target.stat().st_size)
    return target


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed onto it only if the block succeeds."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o644)  # mkstemp makes it owner-only; a service may run as another user
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_record(model_dir: Path, record: dict[str, Any]) -> None:
    """Write onnx_export.json atomically."""
    with _atomic(model_dir / EXPORT_FILE) as tmp:
        tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def export_record(model_dir: Path, opset: int, weight_type: str | None) -> dict[str, Any]:
    """What was exported: version, tools, opset, quantisation and file sizes."""
    import onnxruntime

    files = [FP32_FILE] + ([INT8_FILE] if weight_type else [])
    return {
        "version": ModelMeta.read(model_dir).version,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "exporter": "torch.onnx.export(dynamo=False)",
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "opset": opset,
        "quantization": {"mode": "dynamic", "weight_type": weight_type, "per_channel": True}
        if weight_type
        else None,
        "bytes": {name: (model_dir / name).stat().st_size for name in files},
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training.export_onnx", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", type=Path, required=True, help="a trained model directory")
    parser.add_argument("--no-quantize", action="store_true", help="write only fp32 model.onnx")
    parser.add_argument("--weight-type", choices=("qint8", "quint8"), default="qint8")
    parser.add_argument("--opset", type=_positive_int, default=OPSET)
    parser.add_argument(
        "--dev-limit", type=_positive_int, help="score a stratified sample of N dev rows"
    )
    parser.add_argument("--no-check", action="store_true", help="skip scoring on the dev split")
    parser.add_argument("--bench", action="store_true", help="benchmark an existing export")
    parser.add_argument("--bench-texts", type=_positive_int, default=512)
    parser.add_argument("--threads", type=_positive_int, nargs="+", default=[1, 2])
    return parser


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return int(value)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    model_dir: Path = args.model.resolve()
    meta = ModelMeta.read(model_dir)
    if args.bench:
        results = bench(model_dir, args.bench_texts, args.threads)
        print(f"{meta.version}: {args.bench_texts} dev texts, load average {os.getloadavg()}")
        print(format_bench(results))
        return 0
    weight_type = None if args.no_quantize else args.weight_type
    export_fp32(model_dir, args.opset)
    if weight_type:
        quantize_int8(model_dir, weight_type)
    elif (model_dir / INT8_FILE).exists():
        (model_dir / INT8_FILE).unlink()  # it would not match this export's record
    record = export_record(model_dir, args.opset, weight_type)
    write_record(model_dir, record)
    if not args.no_check:
        record["dev"] = check_on_dev(model_dir, args.dev_limit, int8=bool(weight_type))
        write_record(model_dir, record)
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
