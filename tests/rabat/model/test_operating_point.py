"""The cumulative decision: hateful first, then incitement, then offensive against none; bars
per language; saved with the model and read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.labels import LABELS
from rabat.model.meta import ModelMeta
from rabat.model.operating_point import OperatingPoint, apply, argmax, decide
from rabat.signals import TARGET_GROUPS
from tests.rabat.predictions import signals

SPLIT = {"none": 0.39, "offensive": 0.10, "hate_speech": 0.23, "incitement": 0.28}


def test_a_split_hateful_mass_is_hateful_where_the_argmax_says_none() -> None:
    assert argmax(SPLIT) == "none"
    # p(hateful) 0.51, incitement's share of it 0.55
    assert decide(SPLIT, 0.5, 0.5) == "incitement"


@pytest.mark.parametrize(
    ("hateful_bar", "share_bar", "expected"),
    [(0.52, 0.5, "none"), (0.5, 0.5, "incitement"), (0.5, 0.56, "hate_speech")],
)
def test_each_bar_moves_one_boundary(hateful_bar: float, share_bar: float, expected: str) -> None:
    assert decide(SPLIT, hateful_bar, share_bar) == expected


def test_below_the_hateful_bar_offensive_and_none_compare_as_before() -> None:
    scores = {"none": 0.3, "offensive": 0.45, "hate_speech": 0.15, "incitement": 0.10}
    assert decide(scores, 0.5, 0.5) == "offensive"
    assert decide(scores | {"none": 0.5, "offensive": 0.25}, 0.5, 0.5) == "none"
    assert decide(scores, 0.2, 0.5) == "hate_speech"


def test_bars_follow_the_language_and_undetermined_takes_the_other() -> None:
    point = OperatingPoint(0.5, 0.5, {"pl": 0.3}, {"de": 0.4})
    assert point.bars("pl") == (0.3, 0.5)
    assert point.bars("de") == (0.5, 0.4)
    assert point.bars("und") == point.bars("xx") == (0.5, 0.5)
    found = apply(point, [signals("none", 0.6), signals("none", 0.6)], ["pl", "en"])
    # p(hateful) = 2 * 0.4 / 3 = 0.267: under both bars
    assert [p.label for p in found] == ["none", "none"]
    lower = OperatingPoint(0.5, 0.5, {"pl": 0.25})
    assert [p.label for p in apply(lower, found, ["pl", "en"])] == ["incitement", "none"]
    assert apply(None, found, ["pl", "en"]) == found


def test_bars_outside_zero_and_one_are_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"strictly between 0 and 1.*training.operating_point"):
        OperatingPoint(1.0, 0.5)
    with pytest.raises(ValueError, match="one each"):
        apply(OperatingPoint(0.5, 0.5), [signals("none", 0.9)], ["en", "fr"])


def test_the_operating_point_is_saved_with_the_model_and_read_back(tmp_path: Path) -> None:
    point = OperatingPoint(0.45, 0.35, {"en": 0.55, "pl": 0.2}, {"de": 0.3})
    meta = ModelMeta("v1", LABELS, TARGET_GROUPS, ("call_to_violence",), 64, "base")
    ModelMeta(**{**meta.__dict__, "operating_point": point}).write(tmp_path)
    found = ModelMeta.read(tmp_path)
    assert found.operating_point == point and found.reads_language
    meta.write(tmp_path)
    assert ModelMeta.read(tmp_path).operating_point is None
    assert not ModelMeta.read(tmp_path).reads_language
