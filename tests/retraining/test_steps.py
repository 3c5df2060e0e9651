"""The retraining steps: their commands keep the token out of argv, their environment keeps the
service's secrets out, and `run_step` logs output, reports failures and kills what it started."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from retraining.steps import StepFailed, child_env, pull_command, run_step, train_command


def test_the_pull_command_names_the_project_and_folder_only() -> None:
    argv = pull_command(12, Path("reviews"))
    assert argv == [
        sys.executable,
        "-m",
        "annotation",
        "pull",
        "--project",
        "12",
        "--out",
        "reviews",
    ]


def test_the_train_command_adds_reviews_only_when_pulled() -> None:
    without = train_command(Path("configs/train.yaml"), None, Path("out.txt"))
    assert without == [
        sys.executable, "-m", "training", "--config", "configs/train.yaml",
        "--published-to", "out.txt",
    ]  # fmt: skip
    with_reviews = train_command(Path("c.yaml"), Path("r/1.jsonl"), Path("o"))
    assert with_reviews[-4:] == ["--reviews", "r/1.jsonl", "--published-to", "o"]


def test_a_step_gets_no_secret_but_what_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RABAT_API_KEYS", "service-key-" + "k" * 20)
    monkeypatch.setenv("RABAT_LS_TOKEN", "operator-token")
    monkeypatch.setenv("RABAT_DATA_DIR", "/data")
    env = child_env({})
    assert "RABAT_API_KEYS" not in env and "RABAT_LS_TOKEN" not in env
    assert env["RABAT_DATA_DIR"] == "/data" and env["PYTHONUNBUFFERED"] == "1"
    assert child_env({"RABAT_LS_TOKEN": "for-the-pull"})["RABAT_LS_TOKEN"] == "for-the-pull"


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_step_returns_its_last_line_and_logs_everything(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    code = "import sys; print('working'); print('oops', file=sys.stderr); print('/x/out.jsonl')"
    last = asyncio.run(run_step("pulling", python(code), child_env({}), log))
    assert last == "/x/out.jsonl"
    text = log.read_text()
    assert "working" in text and "oops" in text and "[exit code 0]" in text


def test_a_failing_step_names_itself_and_the_log(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    with pytest.raises(StepFailed, match=rf"training failed: .*code 3; see {log}"):
        asyncio.run(run_step("training", python("raise SystemExit(3)"), child_env({}), log))


def last_line(log: Path) -> str:
    lines = log.read_text().strip().splitlines() if log.exists() else []
    return lines[-1] if lines else ""


def test_a_cancelled_step_is_killed(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    code = "import os, time; print(os.getpid(), flush=True); time.sleep(120)"

    async def cancel_it() -> None:
        task = asyncio.create_task(run_step("training", python(code), child_env({}), log))
        while not last_line(log).isdigit():  # the step has started and printed its pid
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(cancel_it(), 60))
    lines = log.read_text().splitlines()
    assert lines[-1].startswith("[stopped")
    pid = int(next(line for line in lines if line.isdigit()))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
