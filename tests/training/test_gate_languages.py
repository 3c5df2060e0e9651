"""The gate over every configured language: English by category floors, the others by
`language_floor`; what it records in metrics.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.config import GateConfig, TrainConfig, load_config
from training.gate import gate, record, suite_cases

ROOT = Path(__file__).resolve().parents[2]


def config(data_dir: Path, **gate_fields: Any) -> TrainConfig:
    return load_config(ROOT / "configs/smoke.yaml").model_copy(
        update={"data_dir": data_dir, "gate": GateConfig(run_suite=True, **gate_fields)}
    )


def test_every_language_is_scored_and_a_language_under_its_floor_refuses(data_dir: Path) -> None:
    found = config(data_dir, languages=["en", "pl"], language_floor=0.5)
    cases = suite_cases(found)
    assert set(cases) == {"en", "pl"} and all(c.language == "pl" for c in cases["pl"])
    metrics: dict = {}
    below = gate(found, cases, lambda texts: ["none"] * len(texts), metrics)
    # "none" for everything: the mostly hateful Polish suite falls under 0.5
    assert set(below) == {"suite_pl"} and below["suite_pl"][1] == 0.5
    assert set(metrics["functional_languages"]) == {"en", "pl"}
    assert metrics["functional"] is metrics["functional_languages"]["en"]
    assert metrics["gate"]["passed"] is False and metrics["gate"]["languages"] == ["en", "pl"]
    passing = gate(found, cases, lambda texts: ["hate_speech"] * len(texts), {})
    assert "suite_pl" not in passing


def test_no_suite_no_gate(data_dir: Path) -> None:
    off = load_config(ROOT / "configs/smoke.yaml").model_copy(
        update={"data_dir": data_dir, "gate": GateConfig(run_suite=False)}
    )
    assert suite_cases(off) == {}
    assert gate(off, {}, lambda texts: [], {}) == {}


def test_the_verdict_is_recomputed_from_scored_suites_alone() -> None:
    results = {
        "en": {"overall": 0.9, "categories": {"negated_hate": {"accuracy": 0.1, "cases": 10}}},
        "fr": {"overall": 0.4, "categories": {}},
    }
    metrics: dict = {"gate": {"passed": True}}
    settings = GateConfig(default_floor=0.2, language_floor=0.5)
    below = record(settings, results, metrics)
    assert below == {"negated_hate": (0.1, 0.2), "suite_fr": (0.4, 0.5)}
    assert metrics["gate"]["passed"] is False and metrics["gate"]["languages"] == ["en", "fr"]
    assert metrics["functional"] is results["en"]
    assert record(GateConfig(), results, metrics) == {} and metrics["gate"]["passed"] is True
