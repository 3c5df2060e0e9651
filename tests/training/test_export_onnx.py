"""ONNX export: sampling and table helpers, atomic writes, and the CLI on a real tiny model."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from rabat.model.onnx_backend import EXPORT_FILE, FP32_FILE, INT8_FILE
from training.export_onnx import _atomic, main
from training.labelled_files import LabelledRow
from training.onnx_benchmark import bench, format_bench
from training.onnx_parity import stratified_sample


def _rows(counts: dict[str, int]) -> list[LabelledRow]:
    return [
        LabelledRow(text=f"{label} {i}", label=label, source="test")
        for label, n in counts.items()
        for i in range(n)
    ]


def test_stratified_sample_keeps_label_proportions() -> None:
    rows = _rows({"none": 600, "offensive": 300, "hate_speech": 90, "incitement": 10})
    sample = stratified_sample(rows, 100)
    assert Counter(row.label for row in sample) == {
        "none": 60,
        "offensive": 30,
        "hate_speech": 9,
        "incitement": 1,
    }
    assert sample == stratified_sample(rows, 100)  # seeded


def test_stratified_sample_without_limit_is_everything() -> None:
    rows = _rows({"none": 5, "offensive": 5})
    assert stratified_sample(rows, None) == rows
    assert stratified_sample(rows, 50) == rows


def test_format_bench_gives_ratios_against_torch() -> None:
    row = {"threads": 1, "batch": "32", "p50_ms": 10.0}
    table = format_bench(
        [
            row | {"backend": "torch", "texts_per_s": 100.0, "rss_mb": 400.0},
            row | {"backend": "onnx-int8", "texts_per_s": 250.0, "rss_mb": 200.0},
        ]
    )
    last = table.splitlines()[-1].split()
    assert last[0] == "onnx-int8" and last[4] == "2.50" and last[7] == "0.50"


def test_atomic_write_leaves_target_alone_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "model.onnx"
    target.write_text("old")
    with pytest.raises(RuntimeError), _atomic(target) as tmp:
        tmp.write_text("half-written")
        raise RuntimeError("export failed")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_bad_numbers_are_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--model", "some/dir", "--dev-limit", "0"])
    assert "expected a positive integer, got '0'" in capsys.readouterr().err


@pytest.fixture
def model_copy(smoke_model_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(smoke_model_dir, copy)
    return copy


@pytest.mark.slow
def test_cli_exports_both_files_and_records_parity(model_copy: Path) -> None:
    assert main(["--model", str(model_copy), "--dev-limit", "40"]) == 0
    record = json.loads((model_copy / EXPORT_FILE).read_text())
    assert record["opset"] == 17
    assert record["bytes"][INT8_FILE] < record["bytes"][FP32_FILE]
    assert record["bytes"][FP32_FILE] == (model_copy / FP32_FILE).stat().st_size
    dev = record["dev"]
    assert dev["torch"]["macro_f1"] is not None
    assert max(dev["onnx_fp32"]["max_abs_prob_diff"].values()) < 1e-4
    assert dev["onnx_fp32"]["label_agreement"] == 1.0
    assert 0.0 <= dev["onnx_int8"]["label_agreement"] <= 1.0
    assert not [p for p in model_copy.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_no_quantize_writes_only_fp32(model_copy: Path) -> None:
    (model_copy / INT8_FILE).write_text("from an earlier export")
    assert main(["--model", str(model_copy), "--no-quantize", "--no-check"]) == 0
    record = json.loads((model_copy / EXPORT_FILE).read_text())
    assert record["quantization"] is None and list(record["bytes"]) == [FP32_FILE]
    assert not (model_copy / INT8_FILE).exists()


@pytest.mark.slow
def test_bench_without_export_says_how_to_fix(model_copy: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"model\.onnx not found: run `python -m training"):
        bench(model_copy, n_texts=8, threads=[1])


@pytest.mark.slow
def test_bench_times_every_backend(model_copy: Path) -> None:
    main(["--model", str(model_copy), "--no-check"])
    results = bench(model_copy, n_texts=8, threads=[1])
    assert [(r["backend"], r["batch"]) for r in results] == [
        (backend, batch)
        for backend in ("torch", "onnx-fp32", "onnx-int8")
        for batch in ("1", "32", "all/32")
    ]
    assert all(r["texts_per_s"] > 0 and r["rss_mb"] > 0 for r in results)
