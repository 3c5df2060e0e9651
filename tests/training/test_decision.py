"""The gate's floors, as the operating point's choice is held to them (training/decision.py)."""

from __future__ import annotations

from training.config_sections import GateConfig
from training.decision import floors


def test_english_is_held_by_category_and_the_other_languages_overall() -> None:
    gate = GateConfig(floors={"negated_hate": 0.5}, default_floor=0.2, language_floor=0.6)
    assert floors(gate, "en") == {"floors": {"negated_hate": 0.5}, "default_floor": 0.2}
    assert floors(gate, "pl") == {"overall_floor": 0.6}
    assert floors(None, "en") == {}
