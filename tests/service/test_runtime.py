"""Start-up: a missing model or a bad policy stops the service with a message saying how to fix."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.app import create_app
from service.runtime import StartupError, lifespan, load_analyzer
from tests.service.conftest import settings_for


def test_a_missing_model_says_to_run_make_train(tmp_path: Path) -> None:
    with pytest.raises(
        StartupError, match=r"make train.*RABAT_MODEL_DIR|RABAT_MODEL_DIR.*make train"
    ):
        load_analyzer(settings_for(tmp_path / "absent"))


def test_an_invalid_policy_names_the_file_and_the_setting(tmp_path: Path) -> None:
    (tmp_path / "rabat_model.json").write_text("{}")  # the policy is checked before the model
    policy = tmp_path / "policy.yaml"
    policy.write_text("levels: {medium: 0.9, high: 0.1}\n")
    with pytest.raises(StartupError, match=r"RABAT_POLICY_PATH.*policy\.yaml"):
        load_analyzer(settings_for(tmp_path, policy_path=policy))


def test_a_missing_policy_says_which_ships(tmp_path: Path) -> None:
    (tmp_path / "rabat_model.json").write_text("{}")
    with pytest.raises(StartupError, match=r"configs/rabat\.yaml"):
        load_analyzer(settings_for(tmp_path, policy_path=tmp_path / "absent.yaml"))


def test_the_lifespan_fails_start_up(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path / "absent"))

    async def start() -> None:
        async with lifespan(app):
            pytest.fail("the app started without a model")

    with pytest.raises(StartupError, match="make train"):
        asyncio.run(start())
    assert app.state.runtime is None


@pytest.mark.slow
def test_onnx_backend_predicts_like_torch_and_keeps_attributions(onnx_model_dir: Path) -> None:
    texts, contexts = ["you are a silly goose", "have a nice day"], [None, None]
    torch_results = load_analyzer(settings_for(onnx_model_dir)).analyze(texts, contexts)
    onnx = load_analyzer(settings_for(onnx_model_dir, backend="onnx"))
    assert type(onnx.classifier).__name__ == "OnnxClassifier" and onnx.attributor is not None
    for a, b in zip(torch_results, onnx.analyze(texts, contexts), strict=True):
        assert a.prediction.label == b.prediction.label
        assert a.prediction.scores == pytest.approx(b.prediction.scores, abs=1e-4)
        assert [(s.start, s.end) for s in a.evidence] == [(s.start, s.end) for s in b.evidence]


@pytest.mark.slow
def test_onnx_backend_without_export_says_how_to_fix(smoke_model_dir: Path) -> None:
    with pytest.raises(StartupError, match=r"RABAT_BACKEND=onnx-int8.*export_onnx"):
        load_analyzer(settings_for(smoke_model_dir, backend="onnx-int8"))
