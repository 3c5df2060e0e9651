"""Start-up: a missing model or a bad policy stops the service with a message saying how to fix.
The swap of a retrained model: a batch already running finishes on the old model."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from rabat.assessment.analysis import Analyzer
from rabat.assessment.policy import load_policy
from rabat.model.torch_backend import Classifier, Prediction
from service.app import create_app
from service.lifespan import lifespan
from service.runtime import StartupError, load_analyzer
from tests.fixtures import copy_model
from tests.service.conftest import POLICY, settings_for


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
def test_onnx_backend_predicts_like_torch_with_the_same_evidence(onnx_model_dir: Path) -> None:
    texts, contexts = ["you are a silly goose", "have a nice day"], [None, None]
    torch_results = load_analyzer(settings_for(onnx_model_dir)).analyze(texts, contexts)
    onnx = load_analyzer(settings_for(onnx_model_dir, backend="onnx"))
    assert type(onnx.classifier).__name__ == "OnnxClassifier" and onnx.evidence
    for a, b in zip(torch_results, onnx.analyze(texts, contexts), strict=True):
        assert a.prediction.label == b.prediction.label
        assert a.prediction.scores == pytest.approx(b.prediction.scores, abs=1e-4)
        assert [(s.start, s.end) for s in a.evidence] == [(s.start, s.end) for s in b.evidence]
        assert [w[:2] for w in a.prediction.words] == [w[:2] for w in b.prediction.words]


@pytest.mark.slow
def test_onnx_backend_without_export_says_how_to_fix(smoke_model_dir: Path) -> None:
    with pytest.raises(StartupError, match=r"RABAT_BACKEND=onnx-int8.*export_onnx"):
        load_analyzer(settings_for(smoke_model_dir, backend="onnx-int8"))


class GatedClassifier:
    """The real classifier, made to wait inside `predict` while its gate is closed: a batch
    that is still running when a swap comes."""

    def __init__(self, inner: Classifier) -> None:
        self.inner, self.meta, self.batch_size = inner, inner.meta, inner.batch_size
        self.entered, self.gate = threading.Event(), threading.Event()
        self.gate.set()

    @property
    def version(self) -> str:
        return self.inner.version

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]:
        self.entered.set()
        if not self.gate.wait(60):
            raise TimeoutError("the test never opened the gate")
        return self.inner.predict(texts)


@pytest.mark.slow
def test_a_swap_waits_for_the_running_batch_which_finishes_on_the_old_model(
    smoke_model_dir: Path, tmp_path: Path
) -> None:
    gated = GatedClassifier(Classifier.load(smoke_model_dir))
    analyzer = Analyzer(gated, load_policy(POLICY), evidence=False)
    app = create_app(settings_for(smoke_model_dir), analyzer=analyzer)
    new_dir = copy_model(smoke_model_dir, tmp_path / "new", version="swapped-in")
    text = {"text": "have a nice day"}

    async def scenario() -> dict[str, Any]:
        async with lifespan(app):
            runtime = app.state.runtime
            old = runtime.model_version
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                gated.entered.clear()
                gated.gate.clear()
                in_flight = asyncio.create_task(http.post("/classify", json=text))
                while not gated.entered.is_set():
                    await asyncio.sleep(0.01)
                swap = asyncio.create_task(runtime.swap(await runtime.load(new_dir)))
                await asyncio.sleep(0.5)
                waited = not swap.done() and runtime.model_version == old
                gated.gate.set()
                first, replaced = await in_flight, await swap
                return {
                    "old": old,
                    "waited": waited,
                    "replaced": replaced.version,
                    "first": first.json()["model_version"],
                    "next": (await http.post("/classify", json=text)).json()["model_version"],
                    "card": (await http.get("/model")).json()["version"],
                    "ready": (await http.get("/ready")).json()["model_version"],
                    "metrics": (await http.get("/metrics")).text,
                }

    seen = asyncio.run(scenario())
    assert seen["waited"], "the swap did not wait for the running batch"
    assert seen["first"] == seen["replaced"] == seen["old"]  # in flight: the old model
    assert seen["next"] == seen["card"] == seen["ready"] == "swapped-in"
    assert 'rabat_model_info{base_model="minilm",version="swapped-in"} 1.0' in seen["metrics"]
