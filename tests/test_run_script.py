"""scripts/run.sh (`make run`) before it trains: with no model and no corpora it stops with a
message that names every corpus folder the default config reads, the non-English ones too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rabat.defaults import DEFAULT_CONFIG
from training.config import load_config
from training.corpora import corpus_folders

ROOT = Path(__file__).resolve().parents[1]


def test_no_model_and_no_corpora_names_the_folders_of_the_default_config(tmp_path: Path) -> None:
    config = tmp_path / "default.yaml"  # the default recipe, publishing where no model is yet
    config.write_text(f"base: {ROOT / DEFAULT_CONFIG}\noutput_dir: {tmp_path / 'models'}\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RABAT_")},
        "PY": sys.executable,
        "CONFIG": str(config),
        "RABAT_DATA_DIR": str(tmp_path / "no-corpora"),
    }
    env.pop("MODEL", None)
    run = subprocess.run(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "the corpora to train one are not in" in run.stderr
    missing = run.stderr.split("(missing: ", 1)[1].split(")", 1)[0].split()
    expected = corpus_folders(load_config(ROOT / DEFAULT_CONFIG).corpora)
    assert missing == [f"{folder}/" for folder in expected]
    assert {"cold/", "germeval2018/", "myhatespeech/"} <= set(missing)
