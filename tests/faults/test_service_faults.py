"""The service under faults, run as users run it (`python -m service`, real uvicorn): killed
under load and restarted, and started on a model whose files are damaged."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import PYTHON, ROOT, free_port, wait_for

pytestmark = pytest.mark.slow


def start_service(model: Path, port: int, backend: str = "onnx-int8") -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "RABAT_MODEL_DIR": str(model),
        "RABAT_BACKEND": backend,
        "RABAT_PORT": str(port),
        "RABAT_TORCH_THREADS": "1",
    }
    return subprocess.Popen(
        [PYTHON, "-m", "service"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links by target) and its SHA-256."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def model_copy(onnx_model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(onnx_model_dir, target)
    return target


def test_killed_under_load_restarts_serves_and_leaves_the_model_unchanged(
    model_copy: Path,
) -> None:
    before, port = digest(model_copy), free_port()
    service = start_service(model_copy, port)
    try:
        wait_for(lambda: ready(port), 120, "the service to be ready")
        statuses: Counter[int] = Counter()
        stop = threading.Event()

        def client(n: int) -> None:
            with httpx.Client(timeout=10) as http:
                for i in range(10_000):
                    if stop.is_set():
                        return
                    try:
                        answer = http.post(
                            f"http://127.0.0.1:{port}/classify",
                            json={"text": f"client {n} says hello for the {i}th time"},
                        )
                        statuses[answer.status_code] += 1
                    except httpx.TransportError:
                        return  # the server is gone

        clients = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in clients:
            thread.start()
        wait_for(lambda: statuses[200] >= 50, 60, "50 answers under load")
        service.send_signal(signal.SIGKILL)
        service.wait(timeout=30)
        for thread in clients:
            thread.join(timeout=30)
        stop.set()
        assert not any(code >= 500 for code in statuses), statuses

        started = time.monotonic()
        service = start_service(model_copy, port)  # the same command
        wait_for(lambda: ready(port), 120, "the restarted service to be ready")
        print(f"ready again {time.monotonic() - started:.1f} s after restart")
        answer = httpx.post(f"http://127.0.0.1:{port}/classify", json={"text": "good morning"})
        assert answer.status_code == 200 and answer.json()["label"]
    finally:
        service.kill()
        service.wait(timeout=30)
    assert digest(model_copy) == before


@pytest.mark.parametrize(
    ("name", "backend"),
    [
        ("model.safetensors", "torch"),
        ("aux_heads.safetensors", "torch"),
        ("model.int8.onnx", "onnx-int8"),
        ("tokenizer.json", "onnx-int8"),
    ],
)
def test_a_truncated_model_file_is_named_in_one_line_and_never_ready(
    model_copy: Path, name: str, backend: str
) -> None:
    damaged = model_copy / name
    with damaged.open("r+b") as handle:
        handle.truncate(damaged.stat().st_size // 2)
    port = free_port()
    service = start_service(model_copy, port, backend)
    ever_ready = False
    while service.poll() is None:
        ever_ready = ever_ready or ready(port)
        time.sleep(0.1)
    stderr = service.stderr.read() if service.stderr else ""
    assert service.returncode == 3, stderr
    assert not ever_ready
    assert "Traceback" not in stderr, stderr[-3000:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr[-3000:]
    assert f"damaged model file {damaged}" in lines[0]
    assert "make train" in lines[0] or "export_onnx" in lines[0]
