"""The operating point page (python -m evaluation operating-point) from a model's metrics.json."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation.operating_point import main

CATEGORY = {"accuracy": 0.75, "cases": 4}
METRICS = {
    "version": "v9",
    "operating_point": {
        "rule": "cumulative",
        "hateful": {"en": 0.35, "es": 0.2},
        "hateful_other": 0.3,
        "incitement": {"en": 0.4},
        "incitement_other": 0.5,
        "chosen": {
            "languages": {
                "en": {
                    "dev_rows": 100,
                    "bar": 0.35,
                    "dev_binary_macro_f1": 0.7,
                    "suite": 0.8,
                    "at_0.5": {"dev_binary_macro_f1": 0.72, "suite": 0.77},
                },
                "es": {
                    "dev_rows": 0,
                    "bar": 0.2,
                    "other_languages_dev_binary_macro_f1": 0.6,
                    "suite": 0.7,
                    "at_0.5": {"other_languages_dev_binary_macro_f1": 0.65, "suite": 0.5},
                },
            },
            "dev_tradeoff": {"all": {"0.1": {"precision": 0.3, "recall": 0.97, "flagged": 0.8}}},
        },
    },
    "functional_languages": {
        "en": {"overall": 0.81, "categories": {"slur": CATEGORY}},
        "es": {"overall": 0.7, "categories": {"slur": CATEGORY}},
    },
}


def test_the_page_gives_bars_tradeoff_and_suites(tmp_path: Path) -> None:
    (tmp_path / "metrics.json").write_text(json.dumps(METRICS))
    out = tmp_path / "page.md"
    assert main(["--model", str(tmp_path), "--out", str(out)]) == 0
    page = out.read_text()
    assert "# The operating point of `v9`" in page
    assert "| en | 0.350 | 0.40 | 100 | 0.700 / 0.720 | 0.800 / 0.770 |" in page
    assert "| es | 0.200 | 0.50 | 0 | (0.600, other languages) | 0.700 / 0.500 |" in page
    assert "| others | 0.300 | 0.50 |" in page
    assert "| all | 0.30 / 0.97 |" in page
    assert "| slur | 0.75 | 0.75 |" in page and "**0.810**" in page


def test_a_model_without_an_operating_point_says_how_to_choose_one(tmp_path: Path) -> None:
    (tmp_path / "metrics.json").write_text(json.dumps({"version": "v1"}))
    assert main(["--model", str(tmp_path), "--out", str(tmp_path / "p.md")]) == 1
    assert not (tmp_path / "p.md").exists()
