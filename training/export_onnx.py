"""Export a model directory to ONNX (fp32 and int8), check it against PyTorch, and benchmark it.

    python -m training.export_onnx --model models/rabat-minilm/latest
    python -m training.export_onnx --model DIR --no-quantize --dev-limit 3000
    python -m training.export_onnx --model DIR --bench --threads 1 2   # timing table, no export

Writes `model.onnx`, `model.int8.onnx` and `onnx_export.json` into DIR (each to a temporary file,
then renamed), then scores PyTorch, ONNX fp32 and ONNX int8 on DIR/splits/dev.jsonl and adds the
parity and macro-F1 numbers to `onnx_export.json`. `rabat.onnx_backend.OnnxClassifier` loads them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from transformers import AutoTokenizer

from rabat.classifier import Classifier, Prediction
from rabat.labels import LABELS
from rabat.meta import ModelMeta
from rabat.model import MultiTaskModel
from rabat.onnx_backend import (
    EXPORT_FILE,
    EXPORT_HINT,
    FP32_FILE,
    INPUT_NAMES,
    INT8_FILE,
    OUTPUT_NAMES,
    OnnxClassifier,
    onnx_file,
)
from training.labelled_files import LabelledRow, read_labelled
from training.metrics import compute_metrics

logger = logging.getLogger(__name__)

OPSET = 17
DEV_FILE = Path("splits") / "dev.jsonl"
BACKENDS = ("torch", "onnx-fp32", "onnx-int8")
# (name, texts per predict() call, batch_size): one text a request, 32 a request, and one call
# with every text, where predict() sorts by length so batches carry little padding.
BENCH_MODES = (("1", 1, 1), ("32", 32, 32), ("all/32", None, 32))
SAMPLE_SEED = 13


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


def stratified_sample(rows: list[LabelledRow], n: int | None) -> list[LabelledRow]:
    """About `n` rows with the label proportions of `rows` (all rows when n is None or larger)."""
    if n is None or n >= len(rows):
        return rows
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_label[row.label].append(i)
    rng = random.Random(SAMPLE_SEED)
    chosen: list[int] = []
    for _, idx in sorted(by_label.items()):
        chosen += rng.sample(idx, min(len(idx), max(1, round(n * len(idx) / len(rows)))))
    return [rows[i] for i in sorted(chosen)]


def check_on_dev(model_dir: Path, dev_limit: int | None, quantized: bool) -> dict[str, Any]:
    """Macro-F1 of PyTorch and ONNX on the dev split, and how far ONNX is from PyTorch."""
    if not (model_dir / DEV_FILE).is_file():
        raise FileNotFoundError(
            f"{model_dir / DEV_FILE} not found: the check scores the model's dev split. "
            "Pass --no-check to export without it."
        )
    all_rows = read_labelled(model_dir / DEV_FILE)
    rows = stratified_sample(all_rows, dev_limit)
    texts, gold = [row.text for row in rows], [row.label for row in rows]
    sample = "all" if len(rows) == len(all_rows) else f"stratified by label, seed {SAMPLE_SEED}"
    result: dict[str, Any] = {"file": str(DEV_FILE), "rows": len(rows), "sample": sample}
    logger.info("scoring %d dev rows with PyTorch", len(rows))
    reference_preds = Classifier.load(model_dir).predict(texts)
    reference = _arrays(reference_preds)
    result["torch"] = _scores(gold, reference["labels"])
    for name in ["onnx_fp32"] + (["onnx_int8"] if quantized else []):
        logger.info("scoring %d dev rows with %s", len(rows), name)
        backend = OnnxClassifier.load(model_dir, quantized=name == "onnx_int8")
        found_preds = backend.predict(texts)
        found = _arrays(found_preds)
        result[name] = _scores(gold, found["labels"]) | _parity(reference, found)
        result[name]["evidence"] = evidence_parity(reference_preds, found_preds)
        result[name]["macro_f1_delta"] = result[name]["macro_f1"] - result["torch"]["macro_f1"]
    return result


def _arrays(preds: list[Prediction]) -> dict[str, np.ndarray]:
    return {
        "labels": np.array([list(p.scores.values()) for p in preds]),
        "target_groups": np.array([list(p.target_groups.values()) for p in preds]),
        "signals": np.array([[p.call_to_violence, p.dehumanisation] for p in preds]),
    }


def evidence_parity(reference: list[Prediction], found: list[Prediction]) -> dict[str, Any]:
    """How far a backend's word evidence scores are from PyTorch's: texts whose words match,
    and the largest and mean score difference over those words."""
    same = [(r, f) for r, f in zip(reference, found, strict=True) if _spans(r) == _spans(f)]
    diffs = np.array(
        [abs(a[2] - b[2]) for r, f in same for a, b in zip(r.words, f.words, strict=True)]
    )
    return {
        "texts_with_same_words": len(same) / max(len(reference), 1),
        "max_abs_score_diff": float(diffs.max()) if len(diffs) else 0.0,
        "mean_abs_score_diff": float(diffs.mean()) if len(diffs) else 0.0,
    }


def _spans(prediction: Prediction) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _ in prediction.words]


def _scores(gold: list[str], probs: np.ndarray) -> dict[str, Any]:
    metrics = compute_metrics(gold, [LABELS[i] for i in probs.argmax(axis=1)], probs)
    return {"macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"]}


def _parity(reference: dict[str, np.ndarray], found: dict[str, np.ndarray]) -> dict[str, Any]:
    same = reference["labels"].argmax(axis=1) == found["labels"].argmax(axis=1)
    return {
        "label_agreement": float(same.mean()),
        "max_abs_prob_diff": {k: float(np.abs(reference[k] - found[k]).max()) for k in reference},
        "mean_abs_prob_diff": {k: float(np.abs(reference[k] - found[k]).mean()) for k in reference},
    }


def bench(model_dir: Path, n_texts: int, threads: Sequence[int]) -> list[dict[str, Any]]:
    """Time each backend in each of BENCH_MODES, in a fresh process (for a clean memory reading)."""
    for quantized in (False, True):
        if not onnx_file(model_dir, quantized).is_file():
            hint = EXPORT_HINT.format(dir=model_dir)
            raise FileNotFoundError(f"{onnx_file(model_dir, quantized)} not found: {hint} first.")
    rows = read_labelled(model_dir / DEV_FILE)
    texts = [row.text for row in random.Random(SAMPLE_SEED).sample(rows, min(n_texts, len(rows)))]
    results = []
    for backend in BACKENDS:
        for n in threads:
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                results += pool.submit(_bench_one, model_dir, backend, n, texts).result()
    return results


def _bench_one(
    model_dir: Path, backend: str, threads: int, texts: list[str]
) -> list[dict[str, Any]]:
    # Also caps the tokenizer's own thread pool, which starts on first use in this new process.
    os.environ["RAYON_NUM_THREADS"] = str(threads)
    torch.set_num_threads(threads)
    if backend == "torch":
        clf: Classifier | OnnxClassifier = Classifier.load(model_dir)
    else:
        clf = OnnxClassifier.load(model_dir, quantized=backend == "onnx-int8", threads=threads)
    clf.predict(texts[:32])  # warm-up
    rss = _memory_mb("VmRSS")
    results = []
    for mode, per_call, batch_size in BENCH_MODES:
        clf.batch_size = batch_size
        step = per_call or len(texts)
        latencies = []
        for start in range(0, len(texts), step):
            began = time.perf_counter()
            clf.predict(texts[start : start + step])
            latencies.append(time.perf_counter() - began)
        results.append(
            {
                "backend": backend,
                "threads": threads,
                "batch": mode,
                "texts_per_s": len(texts) / sum(latencies),
                "p50_ms": 1000 * float(np.median(latencies)),
                "rss_mb": rss,
            }
        )
    return results


def _memory_mb(field: str) -> float:
    """A /proc/self/status memory field (Linux) in MiB; NaN elsewhere."""
    status = Path("/proc/self/status")
    lines = status.read_text().splitlines() if status.is_file() else []
    kib = [float(line.split()[1]) for line in lines if line.startswith(f"{field}:")]
    return kib[0] / 1024 if kib else float("nan")


def format_bench(results: list[dict[str, Any]]) -> str:
    """A plain-text table with throughput, latency and memory, and ratios against PyTorch."""
    base = {(r["threads"], r["batch"]): r for r in results if r["backend"] == "torch"}
    lines = [
        f"{'backend':<10} {'threads':>7} {'batch':>6} {'texts/s':>8} {'x torch':>7} "
        f"{'p50 ms':>8} {'RSS MiB':>8} {'x torch':>7}"
    ]
    for r in results:
        ref = base.get((r["threads"], r["batch"]), r)
        lines.append(
            f"{r['backend']:<10} {r['threads']:>7} {r['batch']:>6} {r['texts_per_s']:>8.1f} "
            f"{r['texts_per_s'] / ref['texts_per_s']:>7.2f} {r['p50_ms']:>8.1f} "
            f"{r['rss_mb']:>8.0f} {r['rss_mb'] / ref['rss_mb']:>7.2f}"
        )
    return "\n".join(lines)


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
        record["dev"] = check_on_dev(model_dir, args.dev_limit, quantized=bool(weight_type))
        write_record(model_dir, record)
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
