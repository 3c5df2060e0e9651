"""The exported model's speed and memory against PyTorch: each backend, thread count and batch
mode timed in a fresh process (`python -m training.export_onnx --bench`)."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rabat.model.backend import Backend
from rabat.model.loader import ONNX, ONNX_INT8, TORCH, load_classifier
from rabat.model.onnx_backend import EXPORT_HINT, onnx_file
from training.labelled_files import read_labelled
from training.onnx_parity import DEV_FILE, SAMPLE_SEED

BACKENDS = ("torch", "onnx-fp32", "onnx-int8")
LOADED_AS = {"torch": TORCH, "onnx-fp32": ONNX, "onnx-int8": ONNX_INT8}  # -> the loader's names


# (name, texts per predict() call, batch_size): one text a request, 32 a request, and one call
# with every text, where predict() sorts by length so batches carry little padding.
BENCH_MODES = (("1", 1, 1), ("32", 32, 32), ("all/32", None, 32))


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
    clf: Backend = load_classifier(model_dir, LOADED_AS[backend], threads=threads)
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
