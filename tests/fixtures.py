"""Fixtures with real parts: the corpora directory and a tiny real training run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The corpora: $RABAT_DATA_DIR, else ../shared/data beside the checkout."""
    path = Path(os.environ.get("RABAT_DATA_DIR") or ROOT.parent / "shared" / "data")
    if not (path / "davidson").is_dir():
        pytest.fail(
            f"corpora not found at {path}: set RABAT_DATA_DIR to the folder holding davidson/, "
            "edos/, ... (see docs/corpora.md)"
        )
    return path


@pytest.fixture(scope="session")
def smoke_model_dir(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A real model: configs/smoke.yaml trained for seconds on real rows with the real MiniLM."""
    return train_config("smoke.yaml", tmp_path_factory.mktemp("smoke"), data_dir)


def train_config(name: str, out: Path, data_dir: Path) -> Path:
    """Train `configs/<name>` on the real corpora into `out`; the published model directory."""
    from training.config import load_config
    from training.train import train

    config = load_config(ROOT / "configs" / name).model_copy(
        update={"data_dir": data_dir, "output_dir": out / "models", "runs_dir": out / "runs"}
    )
    return train(config)


def copy_model(source: Path, target: Path, version: str | None = None) -> Path:
    """A copy of a model directory, optionally under another version (a "retrained" model,
    exported again if the source had an ONNX export)."""
    from rabat.model.onnx_backend import EXPORT_FILE

    shutil.copytree(source, target)
    if version is not None:
        for name in ("rabat_model.json", EXPORT_FILE):
            path = target / name
            if path.is_file():
                path.write_text(json.dumps({**json.loads(path.read_text()), "version": version}))
    return target


@pytest.fixture(scope="session")
def onnx_model_dir(smoke_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the smoke model with fp32 and int8 ONNX exports."""
    from training.export_onnx import export_fp32, export_record, quantize_int8, write_record

    model_dir = tmp_path_factory.mktemp("onnx") / "model"
    shutil.copytree(smoke_model_dir, model_dir)
    export_fp32(model_dir)
    quantize_int8(model_dir)
    write_record(model_dir, export_record(model_dir, opset=17, weight_type="qint8"))
    return model_dir


class _LabelStudio:
    """The real Label Studio the annotation tests share, started early in the background."""

    process = None
    settings = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start Label Studio as soon as a collected test needs it (it takes ~40 s): other tests
    run meanwhile."""
    if any("label_studio" in getattr(item, "fixturenames", ()) for item in items):
        _start_label_studio()


def _start_label_studio() -> None:
    import atexit
    import socket
    import subprocess
    import tempfile

    from annotation.server import launch_plan
    from annotation.settings import load_settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = Path(tempfile.mkdtemp(prefix="rabat-ls-"))
    settings = load_settings(
        port=port, data_dir=data, bin=ROOT / ".venv-ls/bin/label-studio", project="Rabat test"
    )
    plan = launch_plan(settings)
    log = (data / "label-studio.log").open("wb")
    _LabelStudio.process = subprocess.Popen(
        plan.argv, env=plan.env, stdout=log, stderr=subprocess.STDOUT
    )
    _LabelStudio.settings = settings
    atexit.register(_LabelStudio.process.terminate)  # also when no test ends up using it


@pytest.fixture(scope="session")
def label_studio() -> object:
    """Settings (RABAT_LS_* equivalents) of a real, running Label Studio with an admin token."""
    from annotation.credentials import ensure_credentials
    from annotation.server import ServerError, wait_ready

    if _LabelStudio.process is None:
        _start_label_studio()
    process, settings = _LabelStudio.process, _LabelStudio.settings
    assert process is not None and settings is not None
    try:
        wait_ready(
            settings.base_url,
            ensure_credentials(settings),
            settings.start_timeout_s,
            lambda: process.poll() is None,
        )
    except ServerError as err:
        log = (settings.data_dir / "label-studio.log").read_text(errors="replace")[-3000:]
        pytest.fail(f"{err}\n{log}")
    yield settings
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A slur lexicon for the functional suite made of placeholders (no slur in the repository)."""
    path = tmp_path_factory.mktemp("lexicon") / "slurs.txt"
    path.write_text("# placeholders stand in for slurs here\nplaceholderone\nplaceholdertwo\n")
    return path
