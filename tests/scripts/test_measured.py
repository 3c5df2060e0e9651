"""scripts/measured.py: docs/measured.md from small metrics files written here, whatever subset
of them exists."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    return importlib.import_module("measured")


def write(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def split(n: int, macro_f1: float, incitement_f1: float) -> dict[str, Any]:
    return {"n": n, "macro_f1": macro_f1, "per_label": {"incitement": {"f1": incitement_f1}}}


TRAINING = {
    "version": "20261204-011500-de6c2805",
    "training": {"samples": 68430, "train_seconds": 1049.5, "samples_per_second": 65.2,
                 "peak_rss_mb": 4600.0},
    "dev": split(18490, 0.6214, 0.4321),
    "test": split(18491, 0.6187, 0.3876),
    "dev_per_language": {"en": {"macro_f1": 0.607}, "fr": {"macro_f1": 0.518}},
    "functional": {"overall": 0.6801, "cases": 1419, "worst": "derogation_emotion",
                   "categories": {"derogation_emotion": {"accuracy": 0.4712}}},
    "gate": {"passed": True},
}  # fmt: skip

EVALUATION = {
    "meta": {"created": "2026-12-04T10:20:30+00:00"},
    "files": {"dev": {"transformer": split(14910, 0.6291, 0.43) | {
        "binary_hateful": {"roc_auc": 0.8341}, "calibration": {"ece": 0.0312}}}},
    "functional": {"transformer": {"cases": 1419, "overall": 0.681, "worst": "slur",
                                   "categories": {"slur": {"accuracy": 0.75}}}},
    "evidence": {"hatexplain_val": {"head": {"posts": 1141, "token_f1": 0.4591, "iou_f1": 0.182,
                 "auprc": 0.675, "comprehensiveness": 0.275, "sufficiency": 0.078}},
                 "toxic_spans": {"test": {"posts": 2000, "char_f1": 0.5634}}},
    "cases": {"parts": {"held_apart": {"cases": 14, "decision_agreement": 0.7857,
              "incitement_recall": 0.6, "protected_met": 0.2, "undetermined": 0}}},
}  # fmt: skip


def test_every_figure_comes_with_its_date_command_and_the_machine_speed(
    measured: ModuleType, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    write(model / "metrics.json", TRAINING)
    write(model / "eval" / "metrics.json", EVALUATION)
    page = measured.render_page(model, tmp_path / "runs")

    training, evaluation = page.split("## Evaluation")
    assert "2026-12-04 01:15 UTC · `make train` · machine: 65.2 training samples/s" in training
    for figure in (
        "68,430",
        "1,050",
        "| 65.2 |",
        "0.621",
        "0.432",
        "0.619",
        "0.680",
        "derogation_emotion",
        "0.471",
    ):
        assert figure in training
    assert "| en | fr |" in training and "| 0.607 | 0.518 |" in training
    assert "2026-12-04 10:20 UTC · `make eval` · machine: 65.2 training samples/s" in evaluation
    for figure in ("0.629", "0.834", "0.031", "0.459", "0.563", "0.786"):
        assert figure in evaluation


def test_missing_files_are_named_with_the_command_that_writes_them(
    measured: ModuleType, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    write(model / "metrics.json", TRAINING)
    page = measured.render_page(model, tmp_path / "runs")

    missing = page.split("## Not measured yet")[1]
    assert f"`{model / 'eval' / 'metrics.json'}` | `make eval` |" in missing
    assert f"`{tmp_path / 'runs' / 'bench.json'}`" in missing
    assert "scripts/bench.py --model MODEL --out runs/bench.json" in missing
    assert "## Training" in page and "## Evaluation" not in page


def test_an_empty_model_directory_gives_a_page_of_missing_files(
    measured: ModuleType, tmp_path: Path
) -> None:
    page = measured.render_page(tmp_path, tmp_path / "runs")

    missing = page.split("## Not measured yet")[1].strip().splitlines()
    assert len(missing) == 2 + len(measured.SOURCES)
    assert "## Training" not in page


def test_a_file_without_a_recorded_date_shows_its_file_time(
    measured: ModuleType, tmp_path: Path
) -> None:
    bench = write(tmp_path / "runs" / "bench.json", {
        "rows": [{"system": "pipeline, batch 1", "texts_per_s": 58.0, "p99_ms": 28.0},
                 {"system": "service, 32 clients", "texts_per_s": 164.2, "p99_ms": 444.0}],
        "ready_s": 5.2, "memory": {"peak_rss_mb": 494}, "memory_idle": {"rss_mb": 478},
    })  # fmt: skip
    os.utime(bench, (1_796_000_000, 1_796_000_000))  # 2026-11-30 00:53 UTC
    write(tmp_path / "runs" / "bench-scoring.json", {"throughput": {"local": 292.0, "ray": 146.0}})
    page = measured.render_page(tmp_path / "model", tmp_path / "runs")

    assert "2026-11-30 00:53 UTC (the file's time)" in page
    assert "machine: unknown (no training metrics)" in page
    assert "| service, 32 clients | 164 | - | 444 |" in page
    assert "| ray | 146 | 0.500 |" in page


def test_the_cli_writes_the_page_and_refuses_a_missing_model(
    measured: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, out = tmp_path / "model", tmp_path / "docs" / "measured.md"
    write(model / "onnx_export.json", {
        "exported_at": "2026-12-03T08:00:00+00:00", "bytes": {"model.int8.onnx": 23_000_000},
        "dev": {"rows": 500, "torch": {"macro_f1": 0.62},
                "onnx_int8": {"macro_f1": 0.618, "label_agreement": 0.974,
                              "evidence": {"texts_with_same_words": 0.999}}},
    })  # fmt: skip

    assert measured.main(["--model", str(model), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "2026-12-03 08:00 UTC · `make export-onnx`" in page
    assert "| model.int8.onnx (MB) | 23.0 |" in page and "| 0.974 |" in page
    with pytest.raises(SystemExit) as exit_:
        measured.main(["--model", str(tmp_path / "nowhere")])
    assert exit_.value.code == 2
    assert "run `make train` first" in capsys.readouterr().err


def test_the_drop_in_calibration_and_throughput_have_their_sections(
    measured: ModuleType, tmp_path: Path
) -> None:
    model, runs = tmp_path / "model", tmp_path / "runs"
    quality = {
        "rows": 18490,
        "positives": 8675,
        "roc_auc": 0.8606,
        "ece_raw": 0.0266,
        "ece": 0.0082,
        "by_language": {"pl": {"ece": 0.0931}},
        "thresholds": {
            "at": {"0.5": {"precision": 0.77, "recall": 0.71}},
            "for_precision": {"0.8": {"threshold": 0.6421}},
        },
    }
    write(
        model / "attributes.json", {"curves": {}, "report": {"attributes": {"TOXICITY": quality}}}
    )
    pair = {
        "pair": "lists of 32",
        "texts_per_s": {"/v1/moderations": 101.5, "/classify/batch": 104.2},
        "ratio": 0.974,
    }
    write(runs / "bench-dropin.json", {"results": [pair]})  # fmt: skip
    page = measured.render_page(model, runs)
    attributes = page.split("## Drop-in attributes")[1].split("## ")[0]
    assert "`make calibrate (training writes it too)`" in attributes
    for figure in ("18,490", "0.861", "| 0.008 |", "0.642", "| pl | 0.093 |"):
        assert figure in attributes, figure
    throughput = page.split("## Drop-in endpoints")[1].split("## ")[0]
    assert "| lists of 32 | /v1/moderations | 102 | /classify/batch | 104 | 0.974 |" in throughput
