"""The Ray engine on a real local Ray cluster (two CPUs) against the local engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from scoring.inputs import Limits
from scoring.job import Job, JobError
from scoring.local import run_local
from tests.scoring.corpus import corpus_texts, read_output, read_rejects, rows_of, write_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False)
    yield
    ray.shutdown()


def close(a: dict, b: dict) -> bool:
    """Two output rows agree: every value equal, probabilities to 1e-4 (fp32 arithmetic)."""
    for key, value in a.items():
        if isinstance(value, float):
            if abs(value - b[key]) > 1e-4:
                return False
        elif key == "evidence":
            if [(s["start"], s["end"], s["text"]) for s in value] != [
                (s["start"], s["end"], s["text"]) for s in b[key]
            ]:
                return False
        elif value != b[key]:
            return False
    return True


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_ray_gives_the_local_engines_output_on_2000_rows(
    cluster: None, onnx_model_dir: Path, data_dir: Path, tmp_path: Path, suffix: str
) -> None:
    rows = rows_of(corpus_texts(data_dir, 2000))
    rows[5]["text"] = ""
    rows[1500]["text"] = "word " * 400
    source = write_rows(rows, tmp_path / f"in{suffix}")
    # fp32: int8's dynamic quantisation scales activations per batch, and Ray's batches need
    # not be the local engine's; fp32 results do not depend on the batch
    settings = dict(workers=2, chunk_rows=250, limits=Limits(max_chars=1000), backend="onnx",
                    progress=False)  # fmt: skip
    local = run_local(Job(source, tmp_path / "local.parquet", onnx_model_dir, **settings))
    from scoring.ray_engine import run_ray

    remote = run_ray(Job(source, tmp_path / "ray.parquet", onnx_model_dir, **settings), None)

    assert (remote.scored, remote.rejected) == (local.scored, local.rejected) == (1998, 2)
    by_id = {r["id"]: r for r in read_output(local.output)}
    ray_rows = read_output(remote.output)
    assert [r["id"] for r in ray_rows] == list(by_id)  # the input's order, kept
    disagree = [r["id"] for r in ray_rows if not close(r, by_id[r["id"]])]
    assert disagree == []
    assert {r["id"]: r["reason"] for r in read_rejects(remote.rejects)} == {
        r["id"]: r["reason"] for r in read_rejects(local.rejects)
    }


def test_ray_needs_an_id_column(cluster: None, onnx_model_dir: Path, tmp_path: Path) -> None:
    from scoring.ray_engine import run_ray

    source = write_rows([{"text": "placeholder"}], tmp_path / "in.parquet")
    with pytest.raises(JobError, match="no 'id' column: the Ray engine"):
        run_ray(Job(source, tmp_path / "out.parquet", onnx_model_dir, progress=False), None)
