"""Choosing the operating point of a published model (python -m training.repoint): the bars land in
its rabat_model.json, the choice and the suites as served in its metrics.json, and the model then
serves with them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rabat.model.loader import load_classifier
from rabat.model.meta import ModelMeta
from training.repoint import main

pytestmark = pytest.mark.slow


def test_repoint_saves_the_bars_and_the_model_serves_with_them(
    smoke_model_dir: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model"
    shutil.copytree(smoke_model_dir, model)
    main(["--model", str(model), "--languages", "en,fr", "--backend", "torch"])
    point = ModelMeta.read(model).operating_point
    assert point is not None and set(point.hateful) >= {"en", "fr"}
    metrics = json.loads((model / "metrics.json").read_text())
    assert metrics["operating_point"]["hateful_other"] == point.hateful_other
    assert set(metrics["functional_languages"]) == {"en", "fr"}
    assert metrics["gate"]["languages"] == ["en", "fr"]  # the verdict on the model as it decides
    assert metrics["gate"]["passed"] is (not metrics["gate"]["below"])
    assert "hateful bars: " in capsys.readouterr().out
    served = load_classifier(model, "torch").predict(["a placeholder text"], ["fr"])[0]
    assert served.label == point.decide(served.scores, "fr")


def test_repoint_refuses_a_language_without_a_suite(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--model", str(tmp_path), "--languages", "en,sw"])
