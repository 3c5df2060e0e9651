"""Helpers for the fault suite: a Label Studio of its own (to kill, stop and restart), a
subprocess runner that watches the child's memory, and pool files made at run time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Finished:
    """A finished command: exit code, output, and the peak resident memory it reached."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float


def run_cli(
    args: Sequence[str], env: dict[str, str] | None = None, timeout: float = 300
) -> Finished:
    """Run `python ARGS` from the repository root, sampling its resident memory; a child past
    3 GiB is killed (the fault under test would otherwise take the machine)."""
    process = subprocess.Popen(
        [PYTHON, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0.0]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            rss = rss_mb(process.pid)
            peak[0] = max(peak[0], rss)
            if rss > 3 * 1024:
                process.kill()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        done.set()
        watcher.join()
        if process.poll() is None:
            process.kill()
    return Finished(process.returncode, stdout, stderr, peak[0])


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class OwnLabelStudio:
    """A real Label Studio in a process group of its own: started, killed, stopped, resumed."""

    def __init__(self) -> None:
        from annotation.settings import load_settings

        data = Path(tempfile.mkdtemp(prefix="rabat-faults-ls-"))
        self.settings = load_settings(
            port=free_port(),
            data_dir=data,
            bin=ROOT / ".venv-ls/bin/label-studio",
            project="Rabat faults",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from annotation.credentials import ensure_credentials
        from annotation.server import launch_plan, wait_ready

        plan = launch_plan(self.settings)
        log = (self.settings.data_dir / "label-studio.log").open("ab")
        self.process = subprocess.Popen(
            plan.argv, env=plan.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process = self.process
        wait_ready(
            self.settings.base_url,
            ensure_credentials(self.settings),
            self.settings.start_timeout_s,
            lambda: process.poll() is None,
        )

    def signal(self, sig: int) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=30)
        self.process = None

    def env(self) -> dict[str, str]:
        """The CLI's environment for this server: few retries, short timeouts."""
        from annotation.credentials import api_token

        return {
            "RABAT_LS_URL": self.settings.base_url,
            "RABAT_LS_TOKEN": api_token(self.settings),
            "RABAT_LS_PROJECT": self.settings.project,
            "RABAT_LS_RETRIES": "1",
            "RABAT_LS_TIMEOUT_S": "5",
        }


@pytest.fixture(scope="module")
def own_label_studio() -> Iterator[OwnLabelStudio]:
    server = OwnLabelStudio()
    server.start()
    yield server
    if server.process is not None:
        server.signal(signal.SIGCONT)
        server.signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_for(predicate: object, timeout: float, what: str) -> None:
    """Poll `predicate()` every 0.1 s until it is true, or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs: writes past it fail with ENOSPC, as on a full disk. Mounting needs root
    (CI runs as root); elsewhere `test_disk_full.py` covers the same writers with an injected
    ENOSPC."""
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
