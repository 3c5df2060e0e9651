"""The retraining steps as subprocesses of their own CLIs: their commands, their environment (the
job's less its secrets), and `run_step`: output appended to the job's log file, the last line of
standard output returned, the process group killed if the job is cancelled or times out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

TAIL_BYTES = 4096  # enough to hold the last line of output
GRACE_S = 10.0  # between SIGTERM and SIGKILL


# Never handed to a step: the service's API keys (a job started beside the service may have them
# in its environment), and the Label Studio token except to the pull.
SECRET_VARIABLES = frozenset({"RABAT_API_KEYS", "RABAT_LS_TOKEN"})


class StepFailed(Exception):
    """A step exited with an error; the message names the step, the code and the log."""


def pull_command(project: int, out_dir: Path) -> list[str]:
    """`python -m annotation pull`: writes a versioned JSONL of reviewed rows, prints its path
    as the last line. The URL and token go in the environment, not here."""
    return [
        sys.executable, "-m", "annotation", "pull", "--project", str(project), "--out", str(out_dir)
    ]  # fmt: skip


def train_command(config: Path, reviews: Path | None, published_to: Path) -> list[str]:
    """`python -m training`, which writes the published model directory into `published_to`."""
    argv = [sys.executable, "-m", "training", "--config", str(config)]
    if reviews is not None:
        argv += ["--reviews", str(reviews)]
    return [*argv, "--published-to", str(published_to)]


def export_command(model_dir: Path) -> list[str]:
    """`python -m training.export_onnx`: the fp32 and int8 files an ONNX backend loads."""
    return [
        sys.executable, "-m", "training.export_onnx", "--model", str(model_dir),
        "--dev-limit", "2000",
    ]  # fmt: skip


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment less its secrets, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if name not in SECRET_VARIABLES}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


async def run_step(name: str, argv: list[str], env: dict[str, str], log_path: Path) -> str:
    """Run `argv`, appending its stdout and stderr to `log_path`; its last non-empty line of
    stdout. StepFailed when it exits with a non-zero code."""
    with log_path.open("ab") as log:
        log.write(f"\n$ {shlex.join(argv)}\n".encode())
        log.flush()
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            env=env,
            start_new_session=True,  # its own process group: a kill reaches its children too
        )
        try:
            tail = await _copy_output(process, log)
            code = await process.wait()
        finally:
            if process.returncode is None:
                await _kill(process)
                log.write(b"[stopped: the job was cancelled or ran out of time]\n")
        log.write(f"[exit code {code}]\n".encode())
    if code != 0:
        raise StepFailed(f"{name} failed: the command exited with code {code}; see {log_path}")
    lines = [line for line in tail.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""


async def _copy_output(process: asyncio.subprocess.Process, log: BinaryIO) -> bytes:
    """Copy stdout into the log as it comes (a progress bar need not end its lines)."""
    if process.stdout is None:
        raise RuntimeError("the step's stdout was not piped")
    tail = b""
    while chunk := await process.stdout.read(65536):
        log.write(chunk)
        log.flush()
        tail = (tail + chunk)[-TAIL_BYTES:]
    return tail


async def _kill(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to the step's process group, SIGKILL after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), GRACE_S)
            return
        except TimeoutError:
            continue
    logger.error("step process %d did not stop after SIGKILL", process.pid)
