"""The Rabat combination, table-driven: factor inputs to levels, scores and the decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.assessment import NOT_ASSESSED, Assessor
from rabat.context import Context
from rabat.policy import FACTORS, load_policy
from rabat.prediction import Prediction
from rabat.signals import TARGET_GROUPS

ROOT = Path(__file__).resolve().parents[2]
POLICY = load_policy(ROOT / "configs/rabat.yaml")
ASSESSOR = Assessor(POLICY)
GROUPS = TARGET_GROUPS


def signals(
    label: str, p: float, violence: float = 0.0, dehum: float = 0.0, target: float = 0.0
) -> Prediction:
    rest = (1.0 - p) / 3
    scores = {
        k: (p if k == label else rest) for k in ("none", "offensive", "hate_speech", "incitement")
    }
    targets = dict.fromkeys(GROUPS, 0.0) | {"religion": target}
    return Prediction(label, scores, targets, violence, dehum, truncated=False)


FULL = {
    "speaker": {"role": "political_leader", "influence": "high"},
    "reach": {"audience_size": 200000, "public": True, "medium": "broadcast", "repetition": 5},
    "setting": {
        "armed_conflict": True,
        "recent_violence_against_target": True,
        "risk_level": "high",
    },
}
MILD = {
    "speaker": {"role": "private_person", "influence": "low"},
    "reach": {"audience_size": 3, "public": False, "medium": "private_message"},
    "setting": {"armed_conflict": False, "election_period": False},
}
THREAT = "we must act tonight"


@pytest.mark.parametrize(
    ("text", "sig", "context", "met", "missing"),
    [
        # plainly not incitement: decided from the text, whatever is missing
        (
            "have a nice day",
            signals("none", 0.95),
            None,
            False,
            [*list(FACTORS[:2]), "extent", "likelihood_imminence"],
        ),
        ("you are a silly goose", signals("offensive", 0.9), FULL, False, []),
        # incitement with every factor high: met
        (THREAT, signals("incitement", 0.9, violence=0.9, target=0.9), FULL, True, []),
        # incitement in a private message between private persons, no risk: not met
        (THREAT, signals("incitement", 0.9, violence=0.9, target=0.9), MILD, False, []),
        # incitement without any context: undetermined, all context factors missing
        (
            THREAT,
            signals("incitement", 0.9, violence=0.9),
            None,
            None,
            ["context", "speaker", "extent", "likelihood_imminence"],
        ),
        # each context factor missing alone leaves the decision undetermined
        (
            THREAT,
            signals("incitement", 0.9),
            {k: v for k, v in FULL.items() if k != "speaker"},
            None,
            ["speaker"],
        ),
        (
            THREAT,
            signals("incitement", 0.9),
            {k: v for k, v in FULL.items() if k != "reach"},
            None,
            ["extent"],
        ),
        (
            THREAT,
            signals("incitement", 0.9),
            {k: v for k, v in FULL.items() if k != "setting"},
            None,
            ["context"],
        ),
        # no setting and no reach: likelihood cannot be assessed either
        (
            THREAT,
            signals("incitement", 0.9),
            {"speaker": FULL["speaker"]},
            None,
            ["context", "extent", "likelihood_imminence"],
        ),
        # an empty setting object is as good as none
        (THREAT, signals("incitement", 0.9), FULL | {"setting": {}}, None, ["context"]),
    ],
)
def test_decision_table(
    text: str, sig: Prediction, context: dict | None, met: bool | None, missing: list[str]
) -> None:
    result = ASSESSOR.assess(text, sig, Context.model_validate(context) if context else None)
    assert result.threshold_met is met
    assert result.missing_factors == missing
    for name in missing:
        assert result.factors[name].level == NOT_ASSESSED and result.factors[name].score is None
        assert result.factors[name].missing
    if met is not None and sig.label == "incitement":
        assert result.combined_score is not None and result.drivers


def test_every_factor_reports_level_score_source_and_evidence() -> None:
    result = ASSESSOR.assess(
        THREAT, signals("incitement", 0.9, violence=0.9, target=0.9), Context.model_validate(FULL)
    )
    assert list(result.factors) == list(FACTORS)
    for factor in result.factors.values():
        assert factor.level in {"low", "medium", "high"}
        assert 0.0 <= (factor.score or 0.0) <= 1.0 and factor.evidence
    assert {f.source for f in result.factors.values()} == {"text", "context", "text+context"}
    assert result.drivers[0] in FACTORS and result.severity["label"] == "incitement"


def test_floors_block_a_decision_that_intent_does_not_carry() -> None:
    # strong context and reach, but the text barely suggests intent: the floor on intent holds
    weak = signals("incitement", 0.3)
    result = ASSESSOR.assess("a plain remark", weak, Context.model_validate(FULL))
    assert result.threshold_met is False
    assert "intent" in result.reason


def test_markers_point_into_the_text() -> None:
    text = "Friends, we must go out TONIGHT."
    result = ASSESSOR.assess(text, signals("incitement", 0.9), Context.model_validate(FULL))
    calls = result.factors["intent"].spans
    times = result.factors["likelihood_imminence"].spans
    assert [text[s.start : s.end] for s in calls] == ["we must", "go out"]
    assert [s.text for s in times] == ["TONIGHT"]


@pytest.mark.parametrize(
    ("context", "factor", "level"),
    [
        ({"speaker": {"role": "private_person"}}, "speaker", "low"),
        ({"speaker": {"role": "religious_leader"}}, "speaker", "high"),
        ({"speaker": {"followers": 1000}}, "speaker", "medium"),
        ({"reach": {"medium": "rally"}}, "extent", "high"),
        ({"reach": {"audience_size": 2, "public": False}}, "extent", "low"),
        ({"reach": {"public": True}}, "extent", "medium"),
        ({"setting": {"armed_conflict": False}}, "context", "low"),
        (
            {"setting": {"election_period": True, "history_of_discrimination": True}},
            "context",
            "medium",
        ),
        ({"setting": {"risk_level": "high"}}, "context", "high"),
    ],
)
def test_context_factor_levels(context: dict, factor: str, level: str) -> None:
    result = ASSESSOR.assess("text", signals("incitement", 0.9), Context.model_validate(context))
    assert result.factors[factor].level == level
    assert result.factors[factor].source == "context"


def test_unknown_context_field_is_rejected() -> None:
    with pytest.raises(ValueError, match="audience_sise"):
        Context.model_validate({"reach": {"audience_sise": 10}})


def test_the_content_factor_cites_the_evidence_spans() -> None:
    from rabat.markers import Span

    text = "placeholder words here"
    spans = [Span(0, 11, "placeholder", "evidence", 0.91)]
    factor = ASSESSOR.assess(text, signals("hate_speech", 0.8), None, spans).factors["content_form"]
    assert factor.spans == spans
    assert any("'placeholder' (0.91)" in note for note in factor.evidence)
    plain = ASSESSOR.assess(text, signals("hate_speech", 0.8), None, []).factors["content_form"]
    assert plain.spans == [] and not any("evidence" in note for note in plain.evidence)
