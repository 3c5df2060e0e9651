"""The gate over every configured language: English by category floors, the others by
`language_floor`; what it records in metrics.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.config import GateConfig, TrainConfig, load_config
from training.gate import gate, suite_cases

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
