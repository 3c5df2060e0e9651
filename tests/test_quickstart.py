"""The README's quick start on a fresh clone of HEAD: its commands, run as written, must start
the service, print its address and a curl example, answer that curl, and stop on Ctrl-C.

Two things differ from a stranger's first run, each to keep this test short: the clone uses
this test run's environment (VENV, LS_VENV; `make install` is tested by creating it) and leaves
out `make test` (this test is part of it). It serves what a stranger gets: the released model.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rabat.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 600.0
STOP_TIMEOUT_S = 60.0
READY = re.compile(r"ready at (http://\S+?)[\s(]")

pytestmark = pytest.mark.slow


def quick_start_commands(readme: Path) -> list[str]:
    """The commands of the README's first code block, comments dropped."""
    match = re.search(r"^```\w*\n(.*?)^```", readme.read_text(encoding="utf-8"), re.S | re.M)
    assert match, f"{readme} has no code block"
    lines = (line.split("#", 1)[0].strip() for line in match.group(1).splitlines())
    return [line for line in lines if line]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_clone(target: Path) -> Path:
    """A clone of HEAD (uncommitted changes are not in it, as on CI)."""
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    return target


def reused_environment(clone: Path) -> dict[str, str]:
    """Make variables that point the clone at this test run's environments, and a pyproject.toml
    older than them, so `make install` finds them up to date instead of reinstalling into them."""
    venv, ls_venv = Path(sys.prefix), ROOT / ".venv-ls"
    for env in (venv, ls_venv):
        if not (env / ".installed").is_file():
            pytest.fail(f"{env} was not made by `make install`: run `make install` first")
    older = (venv / ".installed").stat().st_mtime - 60
    os.utime(clone / "pyproject.toml", (older, older))
    return {"VENV": str(venv), "LS_VENV": str(ls_venv)}


class Running:
    """A command in its own process group whose output lines arrive on a queue."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str]) -> None:
        self.command = command
        self.output: list[str] = []
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self, deadline: float) -> str | None:
        """The next line, or None at the end of the output; fails past the deadline."""
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"`{self.command}` printed nothing more for too long:\n{self.tail()}")
        if line is not None:
            self.output.append(line)
        return line

    def tail(self, lines: int = 40) -> str:
        return "".join(self.output[-lines:])

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to the whole process group, as a terminal sends it."""
        os.killpg(self.process.pid, signal.SIGINT)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def wait_for_service(run: Running) -> tuple[str, str] | None:
    """(URL, curl example) once the command says the service is ready; None if it ends first
    (a set-up command), failing if it ends with an error."""
    url = None
    deadline = time.monotonic() + START_TIMEOUT_S
    while (line := run.next_line(deadline)) is not None:
        if match := READY.search(line):
            url = match.group(1)
        elif url and line.strip().startswith("curl "):
            return url, line.strip()
    status = run.process.wait()
    assert status == 0, f"`{run.command}` failed ({status}):\n{run.tail()}"
    return None


def port_open(url: str) -> bool:
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()  # type: ignore[union-attr]
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return False
    return True


def test_readme_quick_start_serves_on_a_fresh_clone(tmp_path: Path, data_dir: Path) -> None:
    assert shutil.which("curl"), "the README's example needs curl"
    clone = fresh_clone(tmp_path / "rabat")
    commands = [
        command
        for command in quick_start_commands(clone / "README.md")
        if shlex.split(command)[:2] != ["make", "test"]
    ]
    assert commands, "the README's first code block has no command besides `make test`"
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RABAT_", "MAKE")) and k not in {"MODEL", "CONFIG", "PY", "MFLAGS"}
    }
    env = {
        **base,
        **reused_environment(clone),
        "RABAT_DATA_DIR": str(data_dir),
        "RABAT_PORT": str(free_port()),
        "RABAT_TORCH_THREADS": "1",
        "no_proxy": "*",
        "NO_PROXY": "*",
    }
    served = None
    for command in commands:
        run = Running(command, clone, env)
        try:
            started = time.monotonic()
            served = wait_for_service(run)
            if served is None:
                continue
            url, curl = served
            print(f"`{command}` ready at {url} in {time.monotonic() - started:.1f} s")
            answer = subprocess.run(
                shlex.split(curl), env=env, capture_output=True, text=True, timeout=60
            )
            assert answer.returncode == 0, f"{curl} failed: {answer.stderr}\n{run.tail()}"
            result = json.loads(answer.stdout)
            assert result["label"] in LABELS, result
            assert set(result["scores"]) == set(LABELS)

            run.interrupt()
            run.process.wait(timeout=STOP_TIMEOUT_S)
            assert not port_open(url), f"the service still listens at {url} after Ctrl-C"
        finally:
            run.kill()
        break
    assert served, f"no README command started the service: {commands}"


def test_a_first_make_run_serves_the_release_then_follows_a_retrained_model(
    tmp_path: Path, onnx_model_dir: Path
) -> None:
    """No model yet: `make run` installs release/ as models/rabat-release/latest and serves it,
    training nothing; a model published there later (as `make train REVIEWS=...` does) is
    swapped in (the smoke model stands in for a retrained one, for time)."""
    import httpx

    from tests.fixtures import copy_model

    clone = fresh_clone(tmp_path / "rabat")
    released = json.loads((clone / "release/rabat_model.json").read_text())["version"]
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RABAT_", "MAKE")) and k not in {"MODEL", "CONFIG", "PY", "MFLAGS"}
    }
    env = {
        **base,
        **reused_environment(clone),
        "RABAT_DATA_DIR": str(tmp_path / "no-corpora"),  # serving needs none
        "RABAT_PORT": str(free_port()),
        "RABAT_TORCH_THREADS": "1",
        "RABAT_FOLLOW_INTERVAL_S": "1",
        "no_proxy": "*",
        "NO_PROXY": "*",
    }
    run = Running("make run", clone, env)
    try:
        served = wait_for_service(run)
        assert served, f"`make run` did not start the service:\n{run.tail()}"
        url, _ = served
        trained = [p.name for p in (clone / "models").iterdir()]
        assert trained == ["rabat-release"], f"a first `make run` trained something: {trained}"
        with httpx.Client(base_url=url, timeout=60) as http:
            card = http.get("/model").json()
            assert card["version"] == released
            assert card["follow"]["path"].endswith("models/rabat-release/latest")
            lineage = clone / "models/rabat-release"
            copy_model(onnx_model_dir, lineage / "20991231-000000-retrained")
            (lineage / ".next").symlink_to("20991231-000000-retrained")
            (lineage / ".next").replace(lineage / "latest")
            deadline = time.monotonic() + 120
            while card["version"] == released and time.monotonic() < deadline:
                time.sleep(1)
                card = http.get("/model").json()
            assert card["version"] != released
            assert card["follow"]["state"] == "swapped"
            assert http.post("/classify", json={"text": "good morning"}).status_code == 200
        run.interrupt()
        run.process.wait(timeout=STOP_TIMEOUT_S)
    finally:
        run.kill()
