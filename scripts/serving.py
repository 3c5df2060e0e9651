"""Start the real service (`python -m service`) in a subprocess for benchmarks and load tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class RunningService:
    url: str
    process: subprocess.Popen[bytes]
    ready_seconds: float

    def memory_mb(self) -> dict[str, float]:
        """Resident memory now and at its peak, from /proc (Linux)."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
        return {"rss_mb": round(fields["VmRSS"], 1), "peak_rss_mb": round(fields["VmHWM"], 1)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_service(
    model_dir: Path, timeout: float = 120.0, **env: str
) -> Iterator[RunningService]:
    """Start `python -m service` on a free loopback port; yield once /ready answers 200."""
    port = free_port()
    environ = (
        os.environ
        | {"RABAT_MODEL_DIR": str(model_dir), "RABAT_PORT": str(port), "RABAT_LOG_LEVEL": "warning"}
        | env
    )
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "service"], cwd=ROOT, env=environ)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the service exited with code {process.returncode} before it was ready"
                )
            try:
                if httpx.get(f"{url}/ready", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"the service was not ready within {timeout} s")
            time.sleep(0.1)
        yield RunningService(url, process, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
