"""Bad pool files under `push --dry-run` (no Label Studio needed) and `make eval`: a 50 MB line,
binary garbage, an empty file, the wrong encoding. Each gives one line naming the file, the line
and what to do, never a traceback; memory stays flat; the good rows still go through."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.faults.conftest import Finished, run_cli

pytestmark = pytest.mark.slow
NOBODY = {"RABAT_LS_URL": "http://127.0.0.1:9"}  # a dry run must not need Label Studio
FIFTY_MB = 50 * 1024 * 1024


def dry_run(pool: Path, model: Path, *extra: str) -> Finished:
    args = ["-m", "annotation", "push", str(pool), "--model", str(model), "--dry-run", *extra]
    return run_cli(args, NOBODY)


def one_error_line(done: Finished) -> str:
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-2000:]
    return lines[0]


def test_a_50_mb_single_line_jsonl_pool_is_named_and_skipped_in_flat_memory(
    tmp_path: Path, onnx_model_dir: Path
) -> None:
    pool = tmp_path / "pool.jsonl"
    with pool.open("w") as handle:
        handle.write(json.dumps({"text": "the first text"}) + "\n")
        huge = '{"text": "' + "a" * FIFTY_MB + '"}\n'
        handle.write(huge)
        handle.write(json.dumps({"text": "the last text"}) + "\n")
    done = dry_run(pool, onnx_model_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{pool}, line 2: skipped: a line of {len(huge):,} bytes" in done.stderr
    assert "dry run: 2 texts predicted" in done.stdout
    assert done.peak_rss_mb < 1024, f"peak {done.peak_rss_mb:.0f} MB on a 50 MB line"


def test_a_50_mb_single_line_csv_pool_is_named_and_skipped_in_flat_memory(
    tmp_path: Path, onnx_model_dir: Path
) -> None:
    pool = tmp_path / "pool.csv"
    with pool.open("w") as handle:
        handle.write("id,text\n1,the first text\n")
        handle.write("2," + "b" * FIFTY_MB + "\n")
        handle.write("3,the last text\n")
    done = dry_run(pool, onnx_model_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{pool}, line 3: skipped: a line of {FIFTY_MB + 3:,} bytes" in done.stderr
    assert "dry run: 2 texts predicted" in done.stdout
    assert done.peak_rss_mb < 1024, f"peak {done.peak_rss_mb:.0f} MB on a 50 MB line"


@pytest.mark.parametrize("name", ["pool.csv", "pool.jsonl"])
def test_binary_garbage_names_the_file_and_line_and_offers_encoding(
    tmp_path: Path, onnx_model_dir: Path, name: str
) -> None:
    pool = tmp_path / name
    pool.write_bytes(random.Random(7).randbytes(64 * 1024))
    done = dry_run(pool, onnx_model_dir)
    assert done.returncode == 2
    line = one_error_line(done)
    assert f"{pool}, line " in line
    assert "not valid utf-8" in line or "holds NUL bytes" in line
    assert "--encoding" in line


def test_an_empty_pool_is_the_same_error_whatever_its_format(
    tmp_path: Path, onnx_model_dir: Path
) -> None:
    errors = []
    for name in ("pool.csv", "pool.jsonl"):
        pool = tmp_path / name
        pool.write_text("")
        done = dry_run(pool, onnx_model_dir)
        assert done.returncode == 2
        errors.append(one_error_line(done).replace(str(pool), "POOL"))
    assert all(e.startswith("error: POOL: no rows: the file is empty") for e in errors), errors


def test_the_wrong_encoding_is_named_and_encoding_reads_it(
    tmp_path: Path, onnx_model_dir: Path
) -> None:
    pool = tmp_path / "pool.csv"
    pool.write_bytes("text\nun caf\u00e9 au lait\n".encode("latin-1"))
    line = one_error_line(dry_run(pool, onnx_model_dir))
    assert f"{pool}, line 2: not valid utf-8 (byte 0xe9" in line and "--encoding" in line
    done = dry_run(pool, onnx_model_dir, "--encoding", "latin-1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dry run: 1 texts predicted" in done.stdout


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("pool.csv", "id,body\n1,hi\n", "line 1 (header): no column text"),
        ("pool.jsonl", '{"text": "fine"}\n{"text": "cut\n', "line 2: invalid JSON"),
    ],
)
def test_a_broken_pool_fails_before_anything_is_predicted(
    tmp_path: Path, onnx_model_dir: Path, name: str, content: str, expected: str
) -> None:
    pool = tmp_path / name
    pool.write_text(content)
    done = dry_run(pool, onnx_model_dir)
    assert done.returncode == 2 and f"{pool}, {expected}" in one_error_line(done)


def test_eval_on_binary_garbage_names_the_file_and_line(
    tmp_path: Path, onnx_model_dir: Path
) -> None:
    bad = tmp_path / "labelled.jsonl"
    bad.write_bytes(b'{"text": "ok", "label": "none"}\n\xcf\x80\xff\xfe garbage\n')
    done = run_cli(
        ["-m", "evaluation", "report", "--model", str(onnx_model_dir), "--no-hatesonar", str(bad)]
    )
    assert done.returncode == 1
    assert f"{bad}, line 2: not valid utf-8 (byte 0xff" in one_error_line(done)
