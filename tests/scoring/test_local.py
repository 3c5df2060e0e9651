"""The local engine on the real ONNX int8 model: every format in and out, rejects, resume after
a kill, and the refusals that keep a finished output or an unfinished run safe."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rabat.labels import LABELS
from scoring.__main__ import main
from scoring.inputs import Limits, Source
from scoring.job import DEFAULT_POLICY, Job
from scoring.local import run_local
from tests.fixtures import copy_model
from tests.scoring.corpus import corpus_texts, read_output, read_rejects, rows_of, write_rows

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def texts(data_dir: Path) -> list[str]:
    return corpus_texts(data_dir, 600)


def with_bad_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with an empty text, a null text and an over-long text mixed in."""
    rows = [dict(r) for r in rows]
    rows[3]["text"] = "  "
    rows[10]["text"] = None
    rows[20]["text"] = "word " * 300
    return rows


@pytest.mark.parametrize(
    ("suffix_in", "suffix_out"),
    [(".jsonl", ".parquet"), (".csv", ".jsonl"), (".parquet", ".parquet")],
)
def test_every_row_is_scored_or_rejected_in_input_order(
    onnx_model_dir: Path, texts: list[str], tmp_path: Path, suffix_in: str, suffix_out: str
) -> None:
    rows = with_bad_rows(rows_of(texts[:120]))
    source = write_rows(rows, tmp_path / f"in{suffix_in}")
    job = Job(
        source,
        tmp_path / f"out{suffix_out}",
        onnx_model_dir,
        workers=2,
        chunk_rows=25,
        limits=Limits(max_chars=1000),
        progress=False,
    )
    result = run_local(job)

    out = read_output(job.output)
    rejects = read_rejects(job.rejects_path)
    assert (result.scored, result.rejected) == (117, 3)
    assert [r["id"] for r in out] == [r["id"] for i, r in enumerate(rows) if i not in (3, 10, 20)]
    assert [r["id"] for r in rejects] == ["post-00003", "post-00010", "post-00020"]
    assert rejects[0]["reason"] == "the text is empty"
    assert rejects[1]["reason"] == (  # CSV has no null: an empty field
        "the text is empty" if suffix_in == ".csv" else "the text is null, not a string"
    )
    assert rejects[2]["reason"].startswith("a text of 1,500 characters, over the limit of 1,000")
    assert [r["line"] for r in rejects] == [start_lines(source)[i] for i in (3, 10, 20)]
    version = json.loads((onnx_model_dir / "rabat_model.json").read_text())["version"]
    for record in out:
        assert record["label"] in LABELS
        assert sum(record[f"score_{label}"] for label in LABELS) == pytest.approx(1, abs=1e-3)
        assert record["decision"] in ("met", "not_met", "undetermined")
        assert record["model_version"] == version
        assert record["source"] in ("channel-a", "channel-b")
        assert record["timestamp"].startswith("2026-03-")
        for span in record["evidence"]:
            assert 0 <= span["start"] < span["end"]
    assert not job.output.with_name(job.output.name + ".partial").exists()


def test_results_are_the_models_own(onnx_model_dir: Path, texts: list[str], tmp_path: Path) -> None:
    """The scorer's label, scores, evidence and decision are what the Analyzer gives."""
    from rabat.assessment.analysis import Analyzer

    rows = rows_of(texts[:50])
    job = Job(write_rows(rows, tmp_path / "in.jsonl"), tmp_path / "out.jsonl", onnx_model_dir,
              workers=1, chunk_rows=50, progress=False)  # fmt: skip
    run_local(job)
    out = read_output(job.output)
    analyzer = Analyzer.load(onnx_model_dir, DEFAULT_POLICY, backend="onnx-int8", threads=1)
    analyses = analyzer.analyze([r["text"] for r in rows], [None] * len(rows))
    for record, analysis in zip(out, analyses, strict=True):
        expected = analysis.to_dict(analyzer.target_bar)
        assert record["label"] == expected["label"]
        assert record["score_hate_speech"] == pytest.approx(expected["scores"]["hate_speech"])
        assert record["decision"] == expected["rabat"]["decision"]
        assert record["targets"] == expected["signals"]["targets_detected"]
        assert [s["text"] for s in record["evidence"]] == [
            s["text"] for s in expected["signals"]["evidence"]
        ]


def start_lines(path: Path) -> list[int]:
    """The line each row starts on (a CSV field may span lines), or its row number."""
    if path.suffix != ".csv":
        return list(range(1, 10_000))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        starts, last = [], reader.line_num
        for _ in reader:
            starts.append(last + 1)
            last = reader.line_num
    return starts


def scoring_command(source: Path, out: Path, model: Path) -> list[str]:
    options = ["--workers", "2", "--chunk-rows", "20", "--max-chars", "1000", "--no-progress"]
    return [sys.executable, "-m", "scoring", str(source), str(out), "--model", str(model), *options]


def test_a_killed_run_resumes_to_the_same_output(
    onnx_model_dir: Path, texts: list[str], tmp_path: Path
) -> None:
    rows = with_bad_rows(rows_of(texts))
    source = write_rows(rows, tmp_path / "in.parquet")
    whole, resumed = tmp_path / "whole.parquet", tmp_path / "resumed.parquet"
    subprocess.run(scoring_command(source, whole, onnx_model_dir), cwd=ROOT, check=True)

    progress = resumed.with_name(resumed.name + ".partial") / "progress.json"
    process = subprocess.Popen(
        scoring_command(source, resumed, onnx_model_dir), cwd=ROOT, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if progress.is_file() and json.loads(progress.read_text())["parts"] >= 1:
            break
        time.sleep(0.05)
    time.sleep(random.uniform(0, 0.4))  # a random point past the first commit
    assert process.poll() is None, "the run ended before it could be killed: give it more rows"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    parts_done = json.loads(progress.read_text())["parts"]
    assert 1 <= parts_done < 30 and not resumed.exists()

    finish = subprocess.run(
        scoring_command(source, resumed, onnx_model_dir), cwd=ROOT, capture_output=True, text=True
    )
    assert finish.returncode == 0, finish.stderr
    assert "continuing an interrupted run" in finish.stderr
    first, second = read_output(whole), read_output(resumed)
    assert [r["id"] for r in second] == [r["id"] for r in first]  # no gaps, no duplicates
    assert second == first
    rejects = read_rejects(resumed.with_name("resumed.rejects.jsonl"))
    assert rejects == read_rejects(whole.with_name("whole.rejects.jsonl"))
    assert [r["id"] for r in rejects] == ["post-00003", "post-00010", "post-00020"]


def test_a_finished_output_is_not_overwritten_unless_asked(
    onnx_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_rows(rows_of(["placeholder one", "placeholder two"]), tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    out.write_text("earlier results\n", encoding="utf-8")
    args = [str(source), str(out), "--model", str(onnx_model_dir), "--no-progress"]
    assert main(args) == 2
    assert "exists: pass --overwrite" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "earlier results\n"
    assert main([*args, "--overwrite", "--workers", "1"]) == 0
    assert len(read_output(out)) == 2


def test_an_unfinished_run_of_another_input_is_not_continued(
    onnx_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_rows(rows_of(["placeholder one", "placeholder two"]), tmp_path / "in.jsonl")
    out = tmp_path / "out.parquet"
    partial = out.with_name("out.parquet.partial")
    partial.mkdir()
    (partial / "job.json").write_text(json.dumps({"input": "/elsewhere.jsonl"}))
    (partial / "progress.json").write_text(json.dumps({"parts": 0, "consumed": 0}))
    args = [str(source), str(out), "--model", str(onnx_model_dir), "--no-progress"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "holds an unfinished run with other settings" in err and "--restart" in err
    assert main([*args, "--restart", "--workers", "1"]) == 0
    assert [r["id"] for r in read_output(out)] == ["post-00000", "post-00001"]


def test_the_command_writes_the_report_from_its_output(
    onnx_model_dir: Path, texts: list[str], tmp_path: Path
) -> None:
    rows = rows_of(texts[:80])
    source = write_rows(rows, tmp_path / "in.jsonl")
    out, report = tmp_path / "out.parquet", tmp_path / "report.html"
    args = [str(source), str(out), "--model", str(onnx_model_dir), "--workers", "1"]
    assert main([*args, "--no-progress", "--report", str(report)]) == 0
    page = report.read_text(encoding="utf-8")
    days = {r["timestamp"][:10] for r in rows}
    overall = re.findall(r'<circle class="point[^"]*" data-group="all"', page)
    assert len(overall) == len(days)  # one point a day on the overall chart
    labels = {r["label"] for r in read_output(out)}
    assert all(f">{label}<" in page for label in labels)


def test_a_file_without_texts_stops_before_any_scoring(
    onnx_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_rows([{"id": "a", "body": "placeholder"}], tmp_path / "in.csv")
    out = tmp_path / "out.parquet"
    assert main([str(source), str(out), "--model", str(onnx_model_dir)]) == 2
    assert "no column 'text': found id, body" in capsys.readouterr().err
    assert not out.exists() and not out.with_name("out.parquet.partial").exists()


ENGLISH = "The weather is lovely today and we are going to the park."
FRENCH = "Nous sommes allés au marché ce matin avec les enfants."


def test_routed_rows_name_the_model_that_scored_them(onnx_model_dir: Path, tmp_path: Path) -> None:
    # two copies of one model under other versions: routing reads the text's language
    english = copy_model(onnx_model_dir, tmp_path / "en", version="en-1")
    other = copy_model(onnx_model_dir, tmp_path / "ml", version="ml-1")
    source = write_rows(rows_of([FRENCH, ENGLISH, FRENCH, "🙂"]), tmp_path / "in.jsonl")
    job = Job(
        source,
        tmp_path / "out.parquet",
        english,
        route_model_dir=other,
        route_languages=("EN",),
        workers=1,
        progress=False,
    )
    assert job.route_languages == ("en",) and job.model_version == "en-1+ml-1"
    run_local(job)
    routed = read_output(job.output)
    assert [r["model_version"] for r in routed] == ["ml-1", "en-1", "ml-1", "en-1"]
    assert [r["language"] for r in routed[:3]] == ["fr", "en", "fr"]
    plain = Job(source, tmp_path / "plain.parquet", english, workers=1, progress=False)
    run_local(plain)
    alone = read_output(plain.output)
    assert {r["model_version"] for r in alone} == {"en-1"}
    assert [r["label"] for r in alone] == [r["label"] for r in routed]  # the same weights


def test_routing_settings_are_checked_before_any_scoring(
    onnx_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_rows(rows_of([ENGLISH]), tmp_path / "in.jsonl")
    out = tmp_path / "out.parquet"
    args = [str(source), str(out), "--model", str(onnx_model_dir), "--no-progress"]
    assert main([*args, "--route-model", str(tmp_path / "absent")]) == 2
    assert "absent (rabat_model.json missing): pass --route-model DIR" in capsys.readouterr().err
    assert main([*args, "--route-model", str(onnx_model_dir), "--route-languages", "en,f1"]) == 2
    assert "--route-languages: expected ISO 639 language codes" in capsys.readouterr().err
    assert not out.exists() and not out.with_name("out.parquet.partial").exists()


def test_a_run_is_not_continued_with_other_routing(onnx_model_dir: Path, tmp_path: Path) -> None:
    source = write_rows(rows_of([ENGLISH, FRENCH]), tmp_path / "in.jsonl")
    opened = Source.open(source, Limits())

    def key(**routing: Any) -> dict[str, Any]:
        return Job(source, tmp_path / "out.parquet", onnx_model_dir, **routing).key(opened)

    plain = key()
    routed = key(route_model_dir=onnx_model_dir)
    assert "route_languages" not in plain  # an unrouted run's key is as before routing existed
    assert routed != plain and routed != key(
        route_model_dir=onnx_model_dir, route_languages=("en", "fr")
    )
    assert routed["model_version"] == f"{plain['model_version']}+{plain['model_version']}"
