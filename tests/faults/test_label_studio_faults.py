"""Label Studio failing under `push` and `pull`: killed or stopped mid-operation, and a full
disk under `pull`. Each fails with one clear line, leaves nothing half-written, and a rerun
recovers: push with no duplicates, pull with a complete version."""

from __future__ import annotations

import errno
import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from annotation.client import connect
from rabat.review.labeling import LABEL, NOTE, TEXT
from tests.faults.conftest import PYTHON, ROOT, OwnLabelStudio, run_cli, wait_for

pytestmark = pytest.mark.slow
TEXTS = 3000


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 distinct everyday texts (made here: no corpus text is needed to test plumbing)."""
    things = ["bus", "garden", "library", "market", "river", "bakery", "station", "park"]
    moods = ["quiet", "busy", "closed", "open", "crowded", "lovely"]
    lines = [
        json.dumps({"text": f"note {i}: the {things[i % 8]} was {moods[i % 6]} today"})
        for i in range(TEXTS)
    ]
    path = tmp_path_factory.mktemp("pool") / "pool.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project(own_label_studio: OwnLabelStudio, onnx_model_dir: Path) -> int:
    env = own_label_studio.env()
    done = run_cli(["-m", "annotation", "setup", "--model", str(onnx_model_dir)], env)
    assert done.returncode == 0, done.stderr
    client = connect(own_label_studio.settings)
    return int(next(p.id for p in client.projects.list() if p.title == env["RABAT_LS_PROJECT"]))


def task_count(server: OwnLabelStudio, project_id: int) -> int:
    return int(connect(server.settings).projects.get(id=project_id).task_number or 0)


def push_cmd(pool: Path, model: Path) -> list[str]:
    return ["-m", "annotation", "push", str(pool), "--model", str(model), "--batch-size", "50"]


def test_label_studio_killed_mid_push_then_a_rerun_completes_without_duplicates(
    own_label_studio: OwnLabelStudio, project: int, pool: Path, onnx_model_dir: Path
) -> None:
    server = own_label_studio
    push = subprocess.Popen(
        [PYTHON, *push_cmd(pool, onnx_model_dir)],
        cwd=ROOT,
        env={**__import__("os").environ, **server.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: task_count(server, project) > 0, 180, "the first imported batch")
    server.kill()
    _, err = push.communicate(timeout=120)
    assert push.returncode == 2, err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "rerun push to resume" in errors[0], err[-3000:]
    assert err.rstrip().endswith(errors[0])  # the last word is the error, not a progress bar
    assert "Traceback" not in err

    server.start()
    landed = task_count(server, project)
    assert 0 < landed < TEXTS
    done = run_cli(push_cmd(pool, onnx_model_dir), server.env())
    assert done.returncode == 0, done.stderr
    assert f"{TEXTS - landed} tasks imported" in done.stdout
    assert f"{landed} already there" in done.stdout
    tasks = list(connect(server.settings).tasks.list(project=project, fields="all"))
    keys = [t.data["rabat_key"] for t in tasks]
    assert len(keys) == TEXTS and len(set(keys)) == TEXTS


@pytest.fixture(scope="module")
def annotated(
    own_label_studio: OwnLabelStudio, project: int, pool: Path, onnx_model_dir: Path
) -> int:
    """100 tasks with one review each, with a long note: reviews files of about 150 KB."""
    done = run_cli(push_cmd(pool, onnx_model_dir), own_label_studio.env())
    assert done.returncode == 0, done.stderr
    client = connect(own_label_studio.settings)
    tasks = sorted(client.tasks.list(project=project, fields="task_only"), key=lambda t: t.id)
    for task in tasks[:100]:
        result = [
            _choice(LABEL, "none"),
            {
                "from_name": NOTE,
                "to_name": TEXT,
                "type": "textarea",
                "value": {"text": ["n" * 900]},
            },
        ]
        client.annotations.create(id=task.id, result=result)
    return project


def _choice(name: str, value: str) -> dict[str, Any]:
    return {"from_name": name, "to_name": TEXT, "type": "choices", "value": {"choices": [value]}}


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if not p.is_dir())


def test_label_studio_stopped_then_killed_mid_pull_leaves_no_files_and_a_rerun_recovers(
    own_label_studio: OwnLabelStudio, annotated: int, tmp_path: Path
) -> None:
    server, out = own_label_studio, tmp_path / "reviews"
    pull = ["-m", "annotation", "pull", "--out", str(out)]
    env = {**server.env(), "RABAT_LS_TIMEOUT_S": "2"}

    server.signal(signal.SIGSTOP)  # stopped: requests hang until they time out
    try:
        done = run_cli(pull, env)
    finally:
        server.signal(signal.SIGCONT)
    assert done.returncode == 2
    assert "did not answer within 2 s" in done.stderr and "Traceback" not in done.stderr
    assert files_under(tmp_path) == []

    server.signal(signal.SIGSTOP)  # killed while a request of the pull's is in flight
    running = subprocess.Popen(
        [PYTHON, *pull],
        cwd=ROOT,
        env={**__import__("os").environ, **server.env(), "RABAT_LS_TIMEOUT_S": "30"},
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    server.kill()
    _, err = running.communicate(timeout=120)
    assert running.returncode == 2, err
    assert err.strip().splitlines()[-1].startswith("error: "), err[-3000:]
    assert "Traceback" not in err
    assert files_under(tmp_path) == []

    server.start()
    done = run_cli(pull, server.env())
    assert done.returncode == 0, done.stderr
    version = Path(done.stdout.strip().splitlines()[-1])
    report = version.with_name(version.stem + ".report.json")
    assert json.loads(report.read_text())["tasks"] == 100
    assert len(version.read_text().splitlines()) == 100
    assert {p.name for p in files_under(out)} == {version.name, report.name, "latest.jsonl"}


def test_pull_on_a_full_disk_fails_cleanly_and_leaves_no_partial_version(
    own_label_studio: OwnLabelStudio, annotated: int, tmp_path: Path, full_disk: Path
) -> None:
    pull = ["-m", "annotation", "pull", "--out", str(full_disk)]
    done = run_cli(pull, own_label_studio.env())
    assert done.returncode == 2
    assert f"[Errno {errno.ENOSPC}] No space left on device" in done.stderr
    assert "Traceback" not in done.stderr
    assert files_under(full_disk) == []  # no temp file, no reviews file without its report

    roomy = tmp_path / "roomy"
    done = run_cli(["-m", "annotation", "pull", "--out", str(roomy)], own_label_studio.env())
    assert done.returncode == 0, done.stderr
    assert len(files_under(roomy)) == 3
