"""The image's entrypoint (scripts/container_entrypoint.py), run here as the image runs it, with a
stand-in `service` package: it waits without a model (answering /health and a 503 /ready that
says how to provide one), starts the service once a model appears, waits again when the service
cannot load it (exit 3), runs other commands as given and stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "scripts" / "container_entrypoint.py"
# `python -m service` in the stand-in: counts its runs; exits 3 with the service's one line while
# the model's rabat_model.json says "damaged", 0 otherwise.
FAKE_SERVICE = """\
import os, sys
from pathlib import Path
runs = Path(os.environ["RUNS_FILE"])
runs.write_text(str(int(runs.read_text() or 0) + 1) if runs.exists() else "1")
meta = Path(os.environ["RABAT_MODEL_DIR"]) / "rabat_model.json"
if "damaged" in meta.read_text():
    print("error: cannot start: damaged model file " + str(meta), file=sys.stderr)
    sys.exit(3)
"""
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, dict]:
    try:
        with OPENER.open(url, timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def until(condition, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = condition()
        except OSError:
            found = None
        if found:
            return found
        assert time.monotonic() < deadline, f"not within {timeout} s: {condition}"
        time.sleep(0.2)


class Container:
    """The entrypoint in a working directory whose `service` package is the stand-in."""

    def __init__(self, tmp_path: Path) -> None:
        self.workdir = tmp_path / "app"
        (self.workdir / "service").mkdir(parents=True)
        (self.workdir / "service" / "__init__.py").write_text("", encoding="utf-8")
        (self.workdir / "service" / "__main__.py").write_text(FAKE_SERVICE, encoding="utf-8")
        self.model_dir = tmp_path / "models" / "latest"
        self.runs = tmp_path / "runs"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self, *command: str) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "RABAT_MODEL_DIR": str(self.model_dir),
            "RABAT_HOST": "127.0.0.1",
            "RABAT_PORT": str(self.port),
            "RUNS_FILE": str(self.runs),
        }
        argv = [sys.executable, str(ENTRYPOINT), *(command or (sys.executable, "-m", "service"))]
        self.process = subprocess.Popen(
            argv,
            cwd=self.workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return self.process

    def publish(self, meta: str = "{}") -> None:
        self.model_dir.mkdir(parents=True, exist_ok=True)
        (self.model_dir / "rabat_model.json").write_text(meta, encoding="utf-8")

    def service_runs(self) -> int:
        return int(self.runs.read_text()) if self.runs.exists() else 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    made = Container(tmp_path)
    yield made
    made.stop()


def test_waits_without_a_model_then_starts_the_service(container: Container) -> None:
    process = container.start()
    status, body = until(lambda: get(f"{container.url}/health"))
    assert status == 200 and body["status"] == "waiting"
    status, body = get(f"{container.url}/ready")
    assert status == 503 and body["error"]["code"] == "not_ready"
    message = body["error"]["message"]
    assert f"no model at {container.model_dir}" in message
    assert "python -m training --config configs/retrain.yaml" in message
    assert get(f"{container.url}/classify")[0] == 503
    time.sleep(3)  # longer than a poll: still waiting, the service never started
    assert process.poll() is None and container.service_runs() == 0

    container.publish()
    assert process.wait(timeout=20) == 0  # the stand-in service ran and ended
    assert container.service_runs() == 1
    assert "no model at" in process.stderr.read()  # type: ignore[union-attr]


def test_a_model_that_cannot_load_waits_for_a_change(container: Container) -> None:
    container.publish('{"state": "damaged"}')
    process = container.start()
    status, body = until(lambda: get(f"{container.url}/ready"))
    assert status == 503
    assert "damaged model file" in body["error"]["message"]
    assert str(container.model_dir) in body["error"]["message"]
    time.sleep(3)
    assert process.poll() is None and container.service_runs() == 1  # not restarted

    container.publish('{"state": "repaired"}')
    assert process.wait(timeout=20) == 0
    assert container.service_runs() == 2


def test_sigterm_ends_the_wait(container: Container) -> None:
    process = container.start()
    until(lambda: get(f"{container.url}/health"))
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    with pytest.raises(OSError):
        get(f"{container.url}/health")


def test_other_commands_run_at_once_without_a_model(container: Container) -> None:
    process = container.start(sys.executable, "-c", "print('trained')")
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0 and out.strip() == "trained"
    process = container.start(sys.executable, "-c", "raise SystemExit(3)")
    assert process.wait(timeout=20) == 3  # only the service waits on status 3
