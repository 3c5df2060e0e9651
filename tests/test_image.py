"""The image itself: scripts/image-check.sh builds it with podman, serves a real (smoke-trained)
model in it, waits for its health check, classifies over HTTP, and checks the waiting state of a
container without a model. Slow (a cold build takes minutes); skipped where podman is missing
(scripts/podman-setup.sh installs and configures it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "image-check.sh"
READY_WITHIN_S = 60


def run_check(env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_refuses_a_directory_that_is_not_a_model(tmp_path: Path) -> None:
    checked = run_check({"MODEL": str(tmp_path)}, timeout=30)
    assert checked.returncode == 1
    assert f"no trained model at {tmp_path}" in checked.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed")
def test_the_image_serves_a_model_and_waits_without_one(smoke_model_dir: Path) -> None:
    # a model trained for seconds: any label for the greeting, the rest is checked
    checked = run_check(
        {"MODEL": str(smoke_model_dir), "EXPECT_LABEL": "", "READY_WITHIN": str(READY_WITHIN_S)},
        timeout=3600,
    )
    print(checked.stdout)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    out = checked.stdout
    healthy = re.search(r"^image-check: healthy after ([\d.]+) s", out, re.M)
    assert healthy and float(healthy[1]) <= READY_WITHIN_S, out
    assert re.search(r"^image-check: POST /classify: label \w+ \(p=[\d.]+\), model ", out, re.M)
    assert "without a model: running and waiting" in out
    assert re.search(r"image-check: passed in [\d.]+ s$", out.rstrip())
    left = subprocess.run(
        ["podman", "ps", "-a", "--filter", "name=rabat-check", "--format", "{{.Names}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert left.stdout.strip() == "", f"containers left behind: {left.stdout}"
