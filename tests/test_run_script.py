"""scripts/run.sh (`make run`) before it serves: it trains nothing; without release/, or with a
damaged one, or with a model path that holds no model, it stops with a message that says how to
fix it, and serves nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_script(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """scripts/run.sh in `cwd` (a folder with its own release/ or none)."""
    (cwd / "scripts").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "scripts/run.sh", cwd / "scripts/run.sh")
    base = {k: v for k, v in os.environ.items() if not k.startswith("RABAT_")}
    base.pop("MODEL", None)
    return subprocess.run(
        ["bash", "scripts/run.sh"],
        cwd=cwd,
        env={**base, "PY": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_release_it_says_how_to_restore_it(tmp_path: Path) -> None:
    run = run_script(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "release/ is missing: restore it with `git checkout -- release/`" in run.stderr
    assert not (tmp_path / "models").exists()


def test_a_damaged_release_is_refused_and_nothing_is_installed(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "release", tmp_path / "release")
    with (tmp_path / "release/rabat_model.json").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    run = run_script(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "the released model is damaged" in run.stderr
    assert "rabat_model.json does not match its SHA-256" in run.stderr
    assert not (tmp_path / "models/rabat-release/latest").exists()


def test_a_model_path_without_a_model_is_refused(tmp_path: Path) -> None:
    run = run_script(tmp_path, MODEL=str(tmp_path / "nothing"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"no model at {tmp_path / 'nothing'} (rabat_model.json missing)" in run.stderr
