"""GET /model's languages: trained on (the corpora's), and measured."""

from __future__ import annotations

import json
from pathlib import Path

from service.model_card import languages_summary


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
