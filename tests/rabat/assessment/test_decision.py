"""The threshold decision over factor combinations, as a case table; the undetermined rule; the
plain sentence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rabat.assessment.assessor import NOT_ASSESSED, Assessor
from rabat.assessment.context import Context
from rabat.assessment.policy import FACTORS, load_policy
from rabat.model.prediction import Prediction
from rabat.text.markers import Span
from tests.rabat.predictions import HIGH, signals

ROOT = Path(__file__).resolve().parents[3]
POLICY = load_policy(ROOT / "configs/rabat.yaml")
ASSESSOR = Assessor(POLICY)


PRIVATE = {  # a private message to a few people, no risk factor
    "speaker": {"role": "private_person", "influence": "low"},
    "reach": {"audience_size": 12, "public": False, "medium": "private_message"},
    "setting": {"armed_conflict": False, "election_period": False},
}


def with_purpose(context: dict, purpose: str) -> dict:
    return context | {"speaker": context["speaker"] | {"purpose": purpose}}


CALL = "we must act tonight"
THREAT = signals("incitement", 0.9, violence=0.9, target=0.9)
DEHUMANISING = signals("hate_speech", 0.85, dehum=0.9, target=0.9)  # p(incitement) 0.05
CONTEXT_ONLY = ["context", "speaker", "extent", "likelihood_imminence"]


@pytest.mark.parametrize(
    ("text", "sig", "context", "decision", "drivers"),
    [
        # no advocacy of hatred: not met from the text, whatever the circumstances
        ("have a nice day", signals("none", 0.95), None, False, ["content_form"]),
        ("you are a silly goose", signals("offensive", 0.9), HIGH, False, ["content_form"]),
        # a threat in a high-risk public context: met
        (CALL, THREAT, HIGH, True, None),
        # the same threat in a private message to a few people: held below by extent
        (CALL, THREAT, PRIVATE, False, ["extent"]),
        # dehumanising hate speech, p(incitement) only 0.05, lifted over by the circumstances
        ("a plain remark", DEHUMANISING, HIGH, True, None),
        # ... held below when the speaker is reporting, quoting or countering it
        ("a plain remark", DEHUMANISING, with_purpose(HIGH, "reporting"), False, ["intent"]),
        ("a plain remark", DEHUMANISING, with_purpose(HIGH, "academic"), False, ["intent"]),
        ("a plain remark", DEHUMANISING, with_purpose(HIGH, "counter_speech"), False, ["intent"]),
        # ... and held below in a private message (no audience to act: likelihood low too)
        ("a plain remark", DEHUMANISING, PRIVATE, False, ["extent", "likelihood_imminence"]),
        # severe content with the circumstances missing: undetermined, never no
        (CALL, THREAT, None, None, ["content_form"]),
        ("a plain remark", DEHUMANISING, None, None, ["content_form"]),
    ],
)
def test_decision_table(
    text: str, sig: Prediction, context: dict | None, decision: bool | None, drivers: list | None
) -> None:
    result = ASSESSOR.assess(text, sig, Context.model_validate(context) if context else None)
    assert result.threshold_met is decision, result.reason
    if drivers is not None:
        assert result.drivers == drivers
    else:
        assert result.drivers and set(result.drivers) <= set(FACTORS)
    if context is HIGH and decision is True:
        assert result.combined_score is not None and result.combined_score >= POLICY.decision.bar


@pytest.mark.parametrize("sig", [THREAT, DEHUMANISING])
@pytest.mark.parametrize("dropped", ["speaker", "reach", "setting"])
def test_severe_content_with_a_part_of_the_context_missing_is_never_a_no(
    sig: Prediction, dropped: str
) -> None:
    context = {k: v for k, v in HIGH.items() if k != dropped}
    result = ASSESSOR.assess(CALL, sig, Context.model_validate(context))
    assert result.threshold_met is not False
    assert result.missing_factors
    for name in result.missing_factors:
        assert result.factors[name].level == NOT_ASSESSED and result.factors[name].score is None
        assert result.factors[name].missing
    assert result.bounds is not None and result.bounds[0] <= result.bounds[1]


def test_undetermined_names_the_missing_factors_and_the_fields_to_send() -> None:
    result = ASSESSOR.assess(CALL, THREAT, None)
    assert result.threshold_met is None and result.missing_factors == CONTEXT_ONLY
    low, high = result.bounds or (0.0, 0.0)
    assert low < POLICY.decision.bar <= high
    assert result.summary.startswith("Undetermined: content and form high")
    for field in ("speaker.role", "reach.medium", "setting.armed_conflict"):
        assert field in result.summary


def test_a_known_factor_below_its_floor_decides_although_others_are_missing() -> None:
    # a private message to a few people, speaker and setting unknown: held below by extent
    context = Context.model_validate({"reach": PRIVATE["reach"]})
    result = ASSESSOR.assess(CALL, THREAT, context)
    assert result.threshold_met is False and result.drivers == ["extent"]
    assert result.missing_factors == ["context", "speaker", "likelihood_imminence"]


def test_bounds_decide_when_the_missing_factors_cannot_change_the_outcome() -> None:
    # everything but the speaker is as high as it gets: met, whatever the speaker is
    context = Context.model_validate({k: v for k, v in HIGH.items() if k != "speaker"})
    result = ASSESSOR.assess(
        CALL, signals("incitement", 0.98, violence=1, dehum=1, target=1), context
    )
    low, _ = result.bounds or (0.0, 0.0)
    assert low >= POLICY.decision.bar and result.threshold_met is True
    assert "whatever the missing factors show" in result.reason


def test_the_sentence_names_the_drivers_and_the_evidence_words() -> None:
    spans = [Span(0, 7, "placeho", "evidence", 0.9), Span(8, 13, "words", "evidence", 0.6)]
    met = ASSESSOR.assess("placeho words", DEHUMANISING, Context.model_validate(HIGH), spans)
    assert met.summary.startswith("Met: driven by ")
    for name in met.drivers:
        assert name.replace("_form", " and form").replace("_imminence", "") in met.summary
    assert "evidence: 'placeho', 'words'" in met.summary and met.summary.endswith(".")
    held = ASSESSOR.assess(
        "placeho words", DEHUMANISING, Context.model_validate(with_purpose(HIGH, "reporting"))
    )
    assert held.summary.startswith("Not met: held below by intent low (purpose reporting")
    plain = ASSESSOR.assess("have a nice day", signals("none", 0.95), None)
    assert plain.summary.startswith("Not met: no advocacy of hatred in the text")


def test_a_long_text_cites_the_window_it_was_decided_on() -> None:
    window = Prediction(
        "incitement",
        THREAT.scores,
        THREAT.target_groups,
        0.9,
        0.0,
        truncated=True,
        windows=3,
        window=(400, 520),
    )
    result = ASSESSOR.assess("x" * 600, window, Context.model_validate(HIGH))
    assert result.window == (400, 520)
    assert "the most severe window, characters 400-520" in result.summary


# The RTLM case of issue 28: the hateful mass split between hate_speech and incitement, so
# `none` is the argmax while the operating point labels it incitement.
SPLIT = Prediction(
    "incitement",
    {"none": 0.39, "offensive": 0.10, "hate_speech": 0.23, "incitement": 0.28},
    {},
    0.2,
    0.0,
    truncated=False,
)


def test_a_text_labelled_hateful_is_never_not_met_by_the_text_only_shortcut() -> None:
    result = ASSESSOR.assess("a placeholder call", SPLIT, None)
    assert result.threshold_met is None, result.reason
    assert result.factors["content_form"].score == pytest.approx(1.0)
    as_none = ASSESSOR.assess("a placeholder call", replace(SPLIT, label="none"), None)
    assert result.factors["content_form"].score > as_none.factors["content_form"].score


def test_a_text_only_estimate_below_its_floor_does_not_hold_a_threat_below() -> None:
    weak = signals("incitement", 0.35)  # its intent, read from the text alone, is under 0.3
    result = ASSESSOR.assess("a plain remark", weak, None)
    assert result.factors["intent"].source == "text"
    assert result.factors["intent"].score < POLICY.decision.floors["intent"]
    assert result.threshold_met is None and "below floor" not in result.reason
    stated = ASSESSOR.assess(
        "a plain remark", weak, Context.model_validate(with_purpose(HIGH, "reporting"))
    )
    assert stated.threshold_met is False and stated.drivers == ["intent"]
