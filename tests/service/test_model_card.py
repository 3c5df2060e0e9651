"""GET /model's languages (trained on, and measured) and its operating point."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from rabat.labels import LABELS
from rabat.model.meta import ModelMeta
from rabat.model.operating_point import OperatingPoint
from rabat.signals import TARGET_GROUPS
from service.model_card import languages_summary, operating_point_summary


def test_a_multilingual_model_lists_its_languages_and_their_measurements(tmp_path: Path) -> None:
    manifest = {"sources": {"davidson": {"rows": 5}, "cold": {"language": "zh"}}}
    metrics = {
        "dev_per_language": {"en": {"macro_f1": 0.61}, "zh": {"macro_f1": 0.69}},
        "language_shift": {"shifts": {"en": 0.0, "zh": 0.5}, "other": 0.25, "languages": {}},
    }
    (tmp_path / "eval").mkdir()
    result = {"model": str(tmp_path.resolve()), "functional": {"fr": {"overall": 0.7}}}
    other = {"model": "/elsewhere", "functional": {"fr": {"overall": 0.1}}}
    (tmp_path / "eval/multilingual.json").write_text(
        json.dumps({"models": {"english": other, "multilingual": result}})
    )
    found = languages_summary(metrics, manifest, tmp_path)
    assert found == {
        "trained": ["en", "zh"],
        "dev_macro_f1": {"en": 0.61, "zh": 0.69},
        "functional": {"fr": 0.7},
        "hateful_shift": {"en": 0.0, "zh": 0.5, "other": 0.25},
    }


def test_an_english_model_reports_its_dev_score_as_english(tmp_path: Path) -> None:
    found = languages_summary({"dev": {"macro_f1": 0.63}}, {"sources": {"davidson": {}}}, tmp_path)
    assert found == {"trained": ["en"], "dev_macro_f1": {"en": 0.63}, "functional": {}}


def test_missing_files_give_empty_parts(tmp_path: Path) -> None:
    assert languages_summary(None, None, tmp_path / "gone") == {
        "trained": [],
        "dev_macro_f1": {},
        "functional": {},
    }


def test_the_card_says_whether_the_drop_in_scores_are_calibrated() -> None:
    from rabat.attributes.quantities import QUANTITIES
    from service.model_card import attributes_summary

    assert attributes_summary(None) == {"calibrated": False, "quality": {}}
    report = {"TOXICITY": {"rows": 10, "positives": 4, "roc_auc": 0.9, "ece": 0.01, "x": 1}}
    full = {"curves": {name: {} for name in QUANTITIES}, "report": {"attributes": report}}
    summary = attributes_summary(full)
    assert summary["calibrated"]
    assert summary["quality"] == {
        "TOXICITY": {"rows": 10, "positives": 4, "roc_auc": 0.9, "ece": 0.01}
    }
    assert not attributes_summary({"curves": {"TOXICITY": {}}})["calibrated"]


def test_the_card_states_the_operating_point_in_force_and_the_dev_tradeoff() -> None:
    meta = ModelMeta("v1", LABELS, TARGET_GROUPS, ("call_to_violence",), 64, "base")
    assert operating_point_summary(meta, None)["rule"] == "argmax"
    point = OperatingPoint(0.4, 0.5, {"pl": 0.2}, {"de": 0.45})
    tradeoff = {"all": {"0.5": {"precision": 0.6, "recall": 0.5, "flagged": 0.2}}}
    metrics = {"operating_point": {"chosen": {"dev_tradeoff": tradeoff}}}
    found = operating_point_summary(replace(meta, operating_point=point), metrics)
    assert found["rule"] == "cumulative" and found["hateful"] == {"pl": 0.2}
    assert found["hateful_other"] == 0.4 and found["incitement"] == {"de": 0.45}
    assert (
        found["dev_tradeoff"] == tradeoff and "p(hate_speech) + p(incitement)" in found["meaning"]
    )


def test_the_gates_suites_stand_in_when_no_multilingual_evaluation_was_run(tmp_path: Path) -> None:
    metrics = {"functional_languages": {"pl": {"overall": 0.8}, "en": {"overall": 0.9}}}
    found = languages_summary(metrics, None, tmp_path)
    assert found["functional"] == {"pl": 0.8, "en": 0.9}
