"""Krippendorff's alpha per field, checked on cases with known answers."""

from __future__ import annotations

import pytest

from annotation.agreement import agreement_report
from rabat.assessment.policy import FACTORS
from rabat.review.reviews import Review, ReviewedTask, resolve


def _review(
    who: str, label: str, intent: str | None = None, groups: list[str] | None = None
) -> Review:
    factors = dict.fromkeys(FACTORS)
    factors["intent"] = intent
    return Review(1, who, label, factors, groups or [], [], "", "t", "t")


def _tasks(rows: list[list[tuple[str, str]]]) -> list[ReviewedTask]:
    return [
        resolve(i, "text", [_review(w, label) for w, label in row]) for i, row in enumerate(rows)
    ]


def test_perfect_agreement_is_one_and_systematic_disagreement_is_negative() -> None:
    same = _tasks([[("a", "none"), ("b", "none")], [("a", "offensive"), ("b", "offensive")]])
    assert agreement_report(same)["fields"]["label"]["alpha"] == 1.0
    crossed = _tasks([[("a", "none"), ("b", "offensive")], [("a", "offensive"), ("b", "none")]])
    assert agreement_report(crossed)["fields"]["label"]["alpha"] < 0


def test_alpha_matches_a_hand_computation() -> None:
    # Units (a,a) (a,b) (b,b) (b,b): coincidences o_aa=2, o_ab=o_ba=1, o_bb=4; n_a=3, n_b=5,
    # n=8. D_o = 2/8, D_e = 2*3*5/(8*7); alpha = 1 - D_o/D_e = 1 - 0.25/0.5357 = 0.5333.
    rows = [("none", "none"), ("none", "offensive")] + [("offensive", "offensive")] * 2
    found = agreement_report(_tasks([[("a", x), ("b", y)] for x, y in rows]))["fields"]["label"]
    assert found["alpha"] == pytest.approx(1 - 0.25 / (30 / 56), abs=1e-4)
    assert found["units"] == 4 and found["level"] == "nominal"


def test_ordinal_factors_count_near_misses_less_and_cant_tell_is_missing() -> None:
    near = [
        resolve(i, "t", [_review("a", "none", x), _review("b", "none", y)])
        for i, (x, y) in enumerate(
            [("low", "medium"), ("medium", "high"), ("high", "high"), ("low", "low")]
        )
    ]
    far = [
        resolve(i, "t", [_review("a", "none", x), _review("b", "none", y)])
        for i, (x, y) in enumerate(
            [("low", "high"), ("high", "low"), ("high", "high"), ("low", "low")]
        )
    ]
    near_alpha = agreement_report(near)["fields"]["factor.intent"]["alpha"]
    far_alpha = agreement_report(far)["fields"]["factor.intent"]["alpha"]
    assert near_alpha > far_alpha
    missing = [
        resolve(i, "t", [_review("a", "none", None), _review("b", "none", "low")]) for i in range(3)
    ]
    found = agreement_report(missing)["fields"]["factor.intent"]
    assert found["alpha"] is None and found["units"] == 0 and "fewer than two" in found["reason"]


def test_undefined_alpha_says_why_and_annotators_are_counted() -> None:
    all_none = _tasks([[("a", "none"), ("b", "none")]] * 3)
    report = agreement_report(all_none)
    assert report["fields"]["label"]["alpha"] is None
    assert "same value" in report["fields"]["label"]["reason"]
    mixed = _tasks([[("a", "none"), ("b", "none"), ("c", "offensive")], [("a", "none")]])
    annotators = agreement_report(mixed)["annotators"]
    assert annotators["a"] == {"annotations": 2, "labels": {"none": 2}, "agrees_with_majority": 1.0}
    assert annotators["c"]["agrees_with_majority"] == 0.0
