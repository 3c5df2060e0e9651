"""The evaluation CLI end to end on an untrained model, and its argument errors."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from evaluation.report_cli import main
from evaluation.tables import ECE, metric, table
from rabat.labels import LABELS

TEXTS = [
    ("have a nice day", "none", "chat"),
    ("what a lovely morning", "none", "forum"),
    ("you are a silly goose", "offensive", "chat"),
    ("such a silly goose", "offensive", "forum"),
    ("placeholder for a group insult", "hate_speech", "chat"),
    ("placeholder for a call to act", "incitement", "forum"),
]


def write_rows(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"text": t, "label": lb, "source": s}) + "\n" for t, lb, s in rows),
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_cli_writes_the_full_report(
    untrained_model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    test_file = write_rows(tmp_path / "test.jsonl", TEXTS)
    train_file = write_rows(tmp_path / "train.jsonl", TEXTS[:4])
    out = tmp_path / "report"
    code = main(
        ["--model", str(untrained_model_dir), "--train-file", str(train_file), "--out", str(out),
         "--evidence", "head", "--limit", "30", str(test_file)]
    )  # fmt: skip
    assert code == 0
    assert "4 of 6 texts in test also appear in" in caplog.text  # train file overlaps on purpose
    systems = ["transformer", "tfidf_logreg", "hatesonar"]
    for name in ["metrics.json", "report.html", "report.md", "test_transformer_reliability.png"]:
        assert (out / name).is_file(), name
    for system in systems:
        assert (out / f"test_{system}_confusion.png").stat().st_size > 1000

    payload = json.loads((out / "metrics.json").read_text())
    assert payload["labels"] == list(LABELS)
    assert payload["meta"]["model_version"] == "test"
    assert payload["meta"]["systems"] == systems
    assert list(payload["files"]) == ["test"]
    for system in systems:
        metrics = payload["files"]["test"][system]
        assert metrics["n"] == 6
        assert set(metrics["per_label"]) == set(LABELS)
        assert sum(map(sum, metrics["confusion_matrix"])) == 6
        assert set(metrics["per_source"]) == {"chat", "forum"}
        assert {"f1", "roc_auc", "pr_auc"} <= set(metrics["binary_hateful"])
        assert len(metrics["calibration"]["bins"]) == 15

    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4  # reliability + three confusion matrices
    assert "<b>" in page  # a best value is bold
    assert "tfidf_logreg" in (out / "report.md").read_text()
    evidence = payload["evidence"]  # HateXplain val and Toxic Spans, 30 posts each (--limit)
    assert evidence["hatexplain_val"]["head"]["posts"] == 30
    assert {name: m["posts"] for name, m in evidence["toxic_spans"].items()} == {
        "trial": 30,
        "test": 30,
    }
    assert "Evidence: plausibility and faithfulness" in (out / "report.md").read_text()
    printed = capsys.readouterr().out
    assert "macro-F1" in printed
    assert f"report: {out / 'report.html'}" in printed


@pytest.mark.slow
def test_cli_skips_tfidf_without_a_training_file(
    untrained_model_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    test_file = write_rows(tmp_path / "test.jsonl", TEXTS)
    out = tmp_path / "report"
    with caplog.at_level(logging.WARNING):
        code = main(
            ["--model", str(untrained_model_dir), "--out", str(out), "--no-hatesonar",
             "--limit", "3", str(test_file)]
        )  # fmt: skip
    assert code == 0
    assert "skipping the TF-IDF baseline" in caplog.text
    payload = json.loads((out / "metrics.json").read_text())
    assert list(payload["files"]["test"]) == ["transformer"]
    assert payload["files"]["test"]["transformer"]["n"] == 3


@pytest.fixture
def fake_model_dir(tmp_path: Path) -> Path:
    """Passes the CLI's argument checks; enough for errors raised before the model loads."""
    model_dir = tmp_path / "fake_model"
    model_dir.mkdir()
    (model_dir / "rabat_model.json").write_text("{}")
    return model_dir


def test_missing_model_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test_file = write_rows(tmp_path / "test.jsonl", TEXTS)
    with pytest.raises(SystemExit) as exit_info:
        main(["--model", str(tmp_path / "nowhere"), str(test_file)])
    assert exit_info.value.code == 2
    assert "expected a model directory containing rabat_model.json" in capsys.readouterr().err


def test_missing_input_file_is_a_usage_error(
    fake_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--model", str(fake_model_dir), str(tmp_path / "absent.jsonl")])
    assert exit_info.value.code == 2
    assert "absent.jsonl does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-3", "ten"])
def test_limit_must_be_a_positive_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit):
        main(["--model", str(tmp_path), "--limit", value, "x.jsonl"])
    assert "expected a positive whole number" in capsys.readouterr().err


def test_bad_labelled_file_is_reported_without_a_traceback(
    fake_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "label": "hateful"}\n')
    assert main(["--model", str(fake_model_dir), "--no-hatesonar", str(bad)]) == 1
    assert "bad.jsonl, line 1: unknown label 'hateful'" in capsys.readouterr().err


# The report's tables (evaluation/report.py) are tested here, beside the CLI that renders them.


def fake_metrics(macro_f1: float | None, ece: float) -> dict[str, object]:
    return {"macro_f1": macro_f1, "calibration": {"ece": ece}}


def test_report_table_bolds_the_best_value_per_column_lowest_for_ece() -> None:
    systems = {
        "transformer": fake_metrics(0.8, 0.10),
        "hatesonar": fake_metrics(0.5, 0.05),
        "other": fake_metrics(None, 0.20),
    }
    rows = table(systems, [("macro-F1", metric("macro_f1"), True), ECE])
    assert rows == [
        ["transformer", "**0.800**", "0.100"],
        ["hatesonar", "0.500", "**0.050**"],
        ["other", "—", "0.200"],
    ]


def test_report_table_bolds_nothing_for_a_single_system() -> None:
    rows = table({"transformer": fake_metrics(0.8, 0.1)}, [ECE])
    assert rows == [["transformer", "0.100"]]
