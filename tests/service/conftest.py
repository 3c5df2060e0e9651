"""Fixtures: the app around the real tiny model, served by a real uvicorn server on a free
loopback port (in a background thread), called over real HTTP with httpx."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from rabat.store.retrain_queue import RetrainQueue
from retraining.watch import watch
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "configs" / "rabat.yaml"
# Small limits keep the over-the-limit requests small; the defaults are pinned in test_settings.
LIMITS: dict[str, Any] = {
    "max_text_chars": 200,
    "max_batch_items": 8,
    "max_body_bytes": 20_000,
    "batch_max_wait_ms": 20,
}


def settings_for(model_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test server: every knob a test relies on is explicit (not the env)."""
    values: dict[str, Any] = {
        "model_dir": model_dir,
        "policy_path": POLICY,
        "api_keys": [],
        "cors_origins": [],
        "log_text": False,
        "torch_threads": 1,
        **LIMITS,
    }
    return Settings(**{**values, **overrides})


def truncate_weights(model_dir: Path) -> Path:
    """Break a model directory the way an interrupted copy would: cut its weights file short."""
    weights = model_dir / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    return model_dir


def poison_weights(model_dir: Path) -> Path:
    """A model that loads but answers NaN: its label head's weights made NaN."""
    from safetensors.torch import load_file, save_file

    weights = model_dir / "model.safetensors"
    tensors = load_file(weights)
    tensors["classifier.weight"] = tensors["classifier.weight"] * float("nan")
    save_file(tensors, weights, metadata={"format": "pt"})
    return model_dir


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` (lifespan included) in a real uvicorn server; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn-test"
    )
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the test server did not start: see the captured log")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


ServerFactory = Callable[..., AbstractContextManager[str]]


@pytest.fixture(scope="session")
def make_server(smoke_model_dir: Path) -> ServerFactory:
    """`with make_server(api_keys=[...]) as url:` a server on the real model with overrides."""

    def factory(**overrides: Any) -> AbstractContextManager[str]:
        return serve(create_app(settings_for(smoke_model_dir, **overrides)))

    return factory


@pytest.fixture(scope="session")
def base_url(make_server: ServerFactory) -> Iterator[str]:
    """The shared server: real model, auth off, the small LIMITS."""
    with make_server() as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        yield http


@contextmanager
def watching(directory: Path, env: dict[str, str]) -> Iterator[Path]:
    """The retraining job (`python -m retraining watch`) as a process of its own on `directory`,
    with `env` added to this one's environment; stopped with SIGTERM, as a container is."""
    queue = RetrainQueue(directory)
    argv = [sys.executable, "-m", "retraining", "watch", "--dir", str(directory), "--poll-s", "0.2"]
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while queue.watcher_age() is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the retraining job did not start (exit {process.poll()})")
            time.sleep(0.05)
        yield directory
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def watching_in_thread(directory: Path) -> Iterator[Path]:
    """The retraining job's watcher in a thread of this process, so that a test can replace one
    of its steps (`retraining.job.train`)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=lambda: asyncio.run(watch(RetrainQueue(directory), 0.2, stop)),
        daemon=True,
        name="retrain-watch-test",
    )
    thread.start()
    deadline = time.monotonic() + 30
    while RetrainQueue(directory).watcher_age() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield directory
    finally:
        stop.set()
        thread.join(timeout=60)


@pytest.fixture
def retrain_job(tmp_path: Path, data_dir: Path) -> Iterator[Path]:
    """The retraining job beside the service, watching the directory where `job_settings`
    (tests/service/routers/test_retrain.py) has the service ask: tmp_path/logs."""
    with watching(tmp_path / "logs", {"RABAT_DATA_DIR": str(data_dir)}) as directory:
        yield directory
