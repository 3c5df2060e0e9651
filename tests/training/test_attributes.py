"""Calibrating the drop-in formats' quantities: the error measure, the fit on labelled rows,
the file it writes, and that training writes it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from rabat.attributes.calibration import CALIBRATION_FILE, AttributeScorer
from rabat.attributes.quantities import QUANTITIES
from rabat.labels import LABELS
from rabat.model.meta import ModelMeta
from rabat.model.prediction import Prediction
from training.attribute_quality import ece
from training.attributes import calibrate, fit, language_table, table

RNG = np.random.default_rng(7)


class Overconfident:
    """A stand-in model (pure logic): puts 0.95 on the row's true label 70 % of the time, on a
    random one otherwise, so its raw scores are overconfident and calibration has work to do."""

    meta: ModelMeta
    batch_size = 8
    version = "stand-in"

    def __init__(self, truth: dict[str, str]) -> None:
        self.truth = truth

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]:
        out = []
        for text in texts:
            label = self.truth[text] if RNG.random() < 0.7 else str(RNG.choice(LABELS))
            scores = {name: 0.95 if name == label else 0.05 / 3 for name in LABELS}
            cv = 0.9 if label == "incitement" else 0.05
            out.append(Prediction(label, scores, {}, cv, 0.0, truncated=False))
        return out


def rows(n: int = 3000) -> list[dict[str, object]]:
    labels = RNG.choice(LABELS, size=n, p=[0.5, 0.25, 0.2, 0.05])
    return [
        {"text": f"row {i}", "label": str(label), "call_to_violence": int(label == "incitement"),
         "language": "en" if i % 2 else "de"}
        for i, label in enumerate(labels)
    ]  # fmt: skip


def test_ece_is_zero_for_calibrated_scores_and_large_for_overconfident_ones() -> None:
    y = np.array([1] * 30 + [0] * 70)
    assert ece(np.full(100, 0.3), y) == pytest.approx(0.0)
    assert ece(np.full(100, 0.95), y) == pytest.approx(0.65)


def test_calibration_brings_an_overconfident_model_under_the_target() -> None:
    data = rows()
    scorer = fit(Overconfident({str(r["text"]): str(r["label"]) for r in data}), data, limit=0)
    assert scorer.calibrated
    for name in QUANTITIES:
        found = scorer.report["attributes"][name]
        assert found["ece"] <= 0.05 < found["ece_raw"] or found["ece_raw"] <= 0.05, (name, found)
        assert set(found["by_language"]) == {"en", "de"}
        assert found["roc_auc"] > 0.6
    toxicity = scorer.report["attributes"]["TOXICITY"]["thresholds"]
    assert set(toxicity["at"]) == {"0.5", "0.7", "0.8"}
    assert "TOXICITY" in table(dict(scorer.report)) and "| de |" in language_table(
        dict(scorer.report)
    )


def test_calibrate_writes_the_file_the_service_reads(tmp_path: Path) -> None:
    data = rows(800)
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in data))
    calibrate(Overconfident({str(r["text"]): str(r["label"]) for r in data}), tmp_path)
    loaded = AttributeScorer.load(tmp_path)
    assert loaded.calibrated and loaded.report["fit"]["dev_rows"] == 800
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
def test_training_writes_the_calibration_with_the_model(smoke_model_dir: Path) -> None:
    written = json.loads((smoke_model_dir / CALIBRATION_FILE).read_text())
    metrics = json.loads((smoke_model_dir / "metrics.json").read_text())
    assert set(written["report"]["attributes"]) == set(QUANTITIES)
    assert metrics["attributes"] == written["report"]["attributes"]
    assert "TOXICITY" in written["curves"]  # the smoke dev split holds both classes for it
