"""The Rabat factors, table-driven: inputs to levels, scores, notes and spans (the decision that
weighs them: test_decision.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.assessment.assessor import Assessor
from rabat.assessment.context import RISK_FACTORS, Context, Setting
from rabat.assessment.policy import FACTORS, load_policy
from rabat.model.prediction import Prediction
from rabat.signals import TARGET_GROUPS
from tests.rabat.predictions import HIGH, signals

ROOT = Path(__file__).resolve().parents[3]
POLICY = load_policy(ROOT / "configs/rabat.yaml")
ASSESSOR = Assessor(POLICY)
GROUPS = TARGET_GROUPS


FULL = HIGH
MILD = {
    "speaker": {"role": "private_person", "influence": "low"},
    "reach": {"audience_size": 3, "public": False, "medium": "private_message"},
    "setting": {"armed_conflict": False, "election_period": False},
}
THREAT = "we must act tonight"


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
        # a stated influence is the standing: a fringe party leader has little
        ({"speaker": {"role": "political_leader", "influence": "low"}}, "speaker", "low"),
        ({"speaker": {"role": "private_person", "influence": "high"}}, "speaker", "high"),
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


def test_an_unknown_purpose_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(ValueError) as err:
        Context.model_validate({"speaker": {"purpose": "satire"}})
    for allowed in ("advocacy", "political", "reporting", "academic", "artistic", "counter_speech"):
        assert allowed in str(err.value)


def test_every_setting_flag_names_its_framework_risk_factor() -> None:
    flags = [n for n, f in Setting.model_fields.items() if f.annotation == (bool | None)]
    assert sorted(RISK_FACTORS) == sorted(flags)
    assert all(RISK_FACTORS[n].startswith("RF") for n in flags)
    assert set(POLICY.context.flags) == set(flags)
    for name in flags:
        described = Setting.model_fields[name].description or ""
        assert RISK_FACTORS[name].split()[0] in described, name


@pytest.mark.parametrize(
    "flag",
    ["record_of_violations", "weak_state_structures", "triggering_event", "intergroup_tensions"],
)
def test_the_new_risk_factors_raise_the_context_factor(flag: str) -> None:
    def context(value: bool) -> Context:
        return Context.model_validate({"setting": {flag: value}})

    present = ASSESSOR.assess("text", signals("hate_speech", 0.9), context(True))
    absent = ASSESSOR.assess("text", signals("hate_speech", 0.9), context(False))
    assert present.factors["context"].score > absent.factors["context"].score == 0.0
    assert flag.replace("_", " ") in present.factors["context"].evidence
    with pytest.raises(ValueError, match="bool"):
        Context.model_validate({"setting": {flag: "sometimes"}})


@pytest.mark.parametrize(
    ("purpose", "level"),
    [
        ("advocacy", "high"),
        ("political", "medium"),
        ("reporting", "low"),
        ("academic", "low"),
        ("artistic", "low"),
        ("counter_speech", "low"),
    ],
)
def test_a_stated_purpose_outweighs_the_text_on_intent(purpose: str, level: str) -> None:
    context = Context.model_validate({"speaker": {"purpose": purpose}})
    intent = ASSESSOR.assess("text", signals("hate_speech", 0.9), context).factors["intent"]
    assert intent.level == level and intent.source == "text+context"
    assert intent.evidence[0] == f"purpose {purpose}"


def test_a_text_that_quotes_or_condemns_weighs_less_on_intent() -> None:
    sig = signals("hate_speech", 0.9, target=0.9)
    plain = ASSESSOR.assess("[group] are [slur]", sig, None).factors["intent"]
    quoted = ASSESSOR.assess('Saying "[group] are [slur]" is unacceptable', sig, None)
    intent = quoted.factors["intent"]
    assert intent.score == pytest.approx(
        plain.score * (1 - POLICY.intent.distancing_discount), abs=1e-3
    )
    assert {s.kind for s in intent.spans} == {"distancing"}
    assert any("distances itself" in note for note in intent.evidence)


def test_dehumanisation_weighs_on_content_even_when_the_label_reads_none() -> None:
    # court-quoted propaganda often reads as `none` to a model trained on posts
    quiet = ASSESSOR.assess("text", signals("none", 0.7), None).factors["content_form"]
    metaphor = ASSESSOR.assess("text", signals("none", 0.7, dehum=0.9), None)
    assert metaphor.factors["content_form"].score >= quiet.score + 0.3


def test_markers_outside_the_deciding_window_are_not_read() -> None:
    text = "a calm opening sentence. Later: we must act tonight"
    inside = Prediction(
        "incitement",
        signals("incitement", 0.9).scores,
        dict.fromkeys(GROUPS, 0.0),
        0.0,
        0.0,
        truncated=True,
        windows=2,
        window=(25, len(text)),
    )
    outside = Prediction(
        "incitement",
        inside.scores,
        inside.target_groups,
        0.0,
        0.0,
        truncated=True,
        windows=2,
        window=(0, 24),
    )
    read = ASSESSOR.assess(text, inside, Context.model_validate(FULL))
    assert [s.text for s in read.factors["intent"].spans] == ["we must"]
    assert [s.text for s in read.factors["likelihood_imminence"].spans] == ["tonight"]
    skipped = ASSESSOR.assess(text, outside, Context.model_validate(FULL))
    assert skipped.factors["intent"].spans == [] and skipped.window == (0, 24)


def test_the_content_factor_cites_the_evidence_spans() -> None:
    from rabat.text.markers import Span

    text = "placeholder words here"
    spans = [Span(0, 11, "placeholder", "evidence", 0.91)]
    factor = ASSESSOR.assess(text, signals("hate_speech", 0.8), None, spans).factors["content_form"]
    assert factor.spans == spans
    assert any("'placeholder' (0.91)" in note for note in factor.evidence)
    plain = ASSESSOR.assess(text, signals("hate_speech", 0.8), None, []).factors["content_form"]
    assert plain.spans == [] and not any("evidence" in note for note in plain.evidence)


def test_words_of_violence_aimed_at_a_group_weigh_on_content_and_intent() -> None:
    sig = signals("none", 0.55, target=0.8)  # a threat the label misses, aimed at a group
    plain = ASSESSOR.assess("[group] are here", sig, None)
    threat = ASSESSOR.assess("[group] should all be shot", sig, None)
    content = threat.factors["content_form"]
    assert content.score > plain.factors["content_form"].score
    assert [s.text for s in content.spans if s.kind == "violence"] == ["should all be shot"]
    assert any(note.startswith("words of violence") for note in content.evidence)
    assert threat.factors["intent"].score > plain.factors["intent"].score
    # the same words with nothing hateful and no group: barely move content
    idle = ASSESSOR.assess("shot the breeze", signals("none", 0.97), None).factors["content_form"]
    assert idle.score < POLICY.decision.no_advocacy_bar


def test_a_small_audience_tempers_a_mass_medium() -> None:
    def extent(reach: dict) -> float:
        result = ASSESSOR.assess("text", signals("hate_speech", 0.9), Context.model_validate(
            {"reach": reach}))  # fmt: skip
        return result.factors["extent"].score or 0.0

    assert extent({"medium": "rally", "audience_size": 30}) < extent({"medium": "rally"})
    assert extent({"medium": "print", "audience_size": 600_000}) > extent({"medium": "print"})
    assert extent({"medium": "print", "repetition": 100}) == 1.0
