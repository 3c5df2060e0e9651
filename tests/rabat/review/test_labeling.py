"""The review form generated from the label list, and predictions as pre-filled forms."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from rabat.assessment.policy import FACTORS
from rabat.labels import DEFINITIONS, LABELS
from rabat.review.labeling import (
    CANT_TELL,
    LABEL,
    LEVELS,
    PROPOSAL_TARGET_BAR,
    RATIONALE,
    TARGETS,
    config_differences,
    config_fields,
    factor_control,
    label_config,
    review_priority,
    to_prediction,
)
from rabat.signals import TARGET_GROUPS


def test_the_form_offers_every_label_with_its_definition_as_a_hint() -> None:
    root = ET.fromstring(label_config())
    choices = root.find(f"Choices[@name='{LABEL}']")
    assert choices is not None and choices.get("choice") == "single"
    assert [(c.get("value"), c.get("hint")) for c in choices] == [
        (label, DEFINITIONS[label]) for label in LABELS
    ]


def test_the_form_asks_each_rabat_factor_with_cant_tell_and_every_target_group() -> None:
    fields = config_fields(label_config())
    for factor in FACTORS:
        assert fields[factor_control(factor)] == [*LEVELS, CANT_TELL]
    assert fields[TARGETS] == list(TARGET_GROUPS)
    assert "evidence" in fields[RATIONALE]
    assert ET.fromstring(label_config()).find("TextArea[@name='note']") is not None


def test_a_form_with_another_label_list_is_reported() -> None:
    changed = label_config().replace('value="incitement"', 'value="threat"')
    problems = config_differences(changed)
    assert problems == [
        f"control 'label' offers {[*LABELS[:3], 'threat']}, expected {list(LABELS)}"
    ]
    assert config_differences(label_config()) == []
    assert "control 'target_groups' is missing" in config_differences("<View></View>")
    with pytest.raises(ValueError, match="not valid XML"):
        config_fields("<View>")


def _analysis(scores: dict[str, float], **factor_levels: str) -> dict[str, Any]:
    factors = {
        f: {"level": factor_levels.get(f, "not_assessed"), "score": 0.5, "spans": []}
        for f in FACTORS
    }
    factors["intent"]["spans"] = [
        {"start": 0, "end": 3, "text": "act", "kind": "call_to_action", "weight": 1.0}
    ]
    return {
        "label": max(scores, key=scores.__getitem__),
        "scores": scores,
        "signals": {
            "targets_detected": ["religion"],
            "target_groups": {g: (0.95 if g == "religion" else 0.6) for g in TARGET_GROUPS},
            "evidence": [
                {"start": 4, "end": 9, "text": "goose", "kind": "evidence", "weight": 0.6}
            ],
        },
        "rabat": {"factors": factors},
    }


def test_a_prediction_fills_label_factors_targets_and_rationale() -> None:
    scores = {"none": 0.1, "offensive": 0.2, "hate_speech": 0.6, "incitement": 0.1}
    found = to_prediction(_analysis(scores, intent="high"), "v7")
    by_name = {r["from_name"]: r for r in found["result"] if r["type"] == "choices"}
    assert by_name[LABEL]["value"]["choices"] == ["hate_speech"]
    assert by_name[LABEL]["score"] == pytest.approx(0.6)
    assert by_name[factor_control("intent")]["value"]["choices"] == ["high"]
    assert by_name[factor_control("speaker")]["value"]["choices"] == [CANT_TELL]
    assert by_name[TARGETS]["value"]["choices"] == ["religion"]
    spans = sorted(
        (r["value"]["start"], r["value"]["labels"][0])
        for r in found["result"]
        if r["from_name"] == RATIONALE
    )
    assert spans == [(0, "call_to_action"), (4, "evidence")]
    assert found["model_version"] == "v7"
    assert found["score"] == pytest.approx(1 - review_priority(scores))


def test_target_groups_are_proposed_only_when_confident_and_hateful() -> None:
    hateful = {"none": 0.1, "offensive": 0.2, "hate_speech": 0.6, "incitement": 0.1}
    plain = {"none": 0.7, "offensive": 0.1, "hate_speech": 0.1, "incitement": 0.1}

    def proposed(scores: dict[str, float], bar: float) -> list[str] | None:
        found = to_prediction(_analysis(scores), "v", target_bar=bar)["result"]
        ticks = [r["value"]["choices"] for r in found if r["from_name"] == TARGETS]
        return ticks[0] if ticks else None

    assert proposed(hateful, PROPOSAL_TARGET_BAR) == ["religion"]  # 0.6 groups stay empty
    assert proposed(hateful, 0.5) == sorted(TARGET_GROUPS)
    assert proposed(hateful, 0.99) is None  # nothing confident: the field is left empty
    assert proposed(plain, 0.5) is None  # a text the model reads as not hateful: no target


def test_priority_is_uncertainty_or_incitement_whichever_is_larger() -> None:
    sure = {"none": 0.97, "offensive": 0.01, "hate_speech": 0.01, "incitement": 0.01}
    torn = {"none": 0.45, "offensive": 0.44, "hate_speech": 0.1, "incitement": 0.01}
    threat = {"none": 0.05, "offensive": 0.05, "hate_speech": 0.1, "incitement": 0.8}
    assert review_priority(sure) == pytest.approx(0.04)
    assert review_priority(torn) == pytest.approx(0.99)
    assert review_priority(threat) == pytest.approx(0.8)  # margin alone would give 0.3
    assert review_priority(torn) > review_priority(threat) > review_priority(sure)


def test_span_offsets_travel_in_label_studios_utf16_units() -> None:
    from rabat.review.labeling import from_utf16, to_utf16

    text = "\U0001f600 you are a silly goose"  # an emoji takes two UTF-16 units
    start = text.index("silly")
    assert to_utf16(text, start) == start + 1
    assert from_utf16(text, to_utf16(text, start)) == start
    scores = {"none": 0.1, "offensive": 0.2, "hate_speech": 0.6, "incitement": 0.1}
    analysis = _analysis(scores)
    analysis["signals"]["evidence"] = [
        {"start": start, "end": start + 5, "text": "silly", "kind": "evidence"}
    ]
    found = to_prediction(analysis, "v1", text)
    (span,) = [r["value"] for r in found["result"] if r["value"].get("labels") == ["evidence"]]
    assert (span["start"], span["end"]) == (start + 1, start + 6)
