"""Calibration curves: interpolation, the file they come from, and what a broken file says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rabat.attributes.calibration import (
    CALIBRATION_FILE,
    AttributeScorer,
    CalibrationError,
    Curve,
)
from rabat.attributes.quantities import QUANTITIES
from rabat.model.prediction import Prediction


def prediction(**scores: float) -> Prediction:
    full = {"none": 0.0, "offensive": 0.0, "hate_speech": 0.0, "incitement": 0.0, **scores}
    label = max(full, key=lambda name: full[name])
    return Prediction(label, full, {}, call_to_violence=0.0, dehumanisation=0.0, truncated=False)


def test_a_curve_interpolates_between_knots_and_clips_outside() -> None:
    curve = Curve.from_knots([0.2, 0.6], [0.1, 0.5])
    assert curve(0.4) == pytest.approx(0.3)
    assert curve(0.0) == 0.1 and curve(1.0) == 0.5
    assert Curve.from_knots([0.5], [0.7])(0.1) == 0.7


@pytest.mark.parametrize(
    ("x", "y", "says"),
    [
        ([0.5, 0.2], [0.1, 0.2], "ascending"),
        ([0.1], [1.5], "[0, 1]"),
        ([0.1, 0.2], [0.3], "as many"),
    ],
)
def test_a_bad_curve_is_refused(x: list[float], y: list[float], says: str) -> None:
    with pytest.raises(ValueError, match=says if says != "[0, 1]" else r"\[0, 1\]"):
        Curve.from_knots(x, y)


def test_without_a_file_the_scores_are_the_raw_quantities(tmp_path: Path) -> None:
    scorer = AttributeScorer.load(tmp_path)
    assert not scorer.calibrated
    scores = scorer.scores(prediction(none=0.25, offensive=0.75))
    assert scores["TOXICITY"] == 0.75 and set(scores) == set(QUANTITIES)


def test_the_file_s_curves_are_applied(tmp_path: Path) -> None:
    curves = {name: {"x": [0.0, 1.0], "y": [0.0, 0.5]} for name in QUANTITIES}
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"curves": curves, "report": {}}))
    scorer = AttributeScorer.load(tmp_path)
    assert scorer.calibrated
    assert scorer.scores(prediction(none=0.2, offensive=0.8))["TOXICITY"] == pytest.approx(0.4)
    assert AttributeScorer.load(tmp_path).to_json()["curves"] == curves


@pytest.mark.parametrize(
    "content",
    ["not json", json.dumps({"curves": {"TOXICITY": {"x": [1.0]}}}), json.dumps({"other": 1})],
)
def test_a_broken_file_names_itself_and_the_command_that_rewrites_it(
    tmp_path: Path, content: str
) -> None:
    (tmp_path / CALIBRATION_FILE).write_text(content)
    with pytest.raises(CalibrationError, match=r"python -m training\.attributes --model-dir"):
        AttributeScorer.load(tmp_path)


def test_a_file_for_unknown_quantities_is_refused(tmp_path: Path) -> None:
    curves = {"SPAM": {"x": [0.0], "y": [0.0]}}
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"curves": curves}))
    with pytest.raises(CalibrationError, match="SPAM"):
        AttributeScorer.load(tmp_path)


def test_a_quantity_without_a_curve_is_served_raw_and_said_uncalibrated(tmp_path: Path) -> None:
    curves = {"TOXICITY": {"x": [0.0, 1.0], "y": [0.0, 0.5]}}
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"curves": curves}))
    scorer = AttributeScorer.load(tmp_path)
    scores = scorer.scores(prediction(none=0.2, incitement=0.8))
    assert not scorer.calibrated
    assert scores["TOXICITY"] == pytest.approx(0.4) and scores["INCITEMENT"] == pytest.approx(0.8)
