"""OpenAI's moderation categories: which Rabat scores, how "not assessed" reads, and that the
real client's types parse the result."""

from __future__ import annotations

from openai.types import Moderation

from rabat.attributes.moderation import (
    ASSESSED,
    CATEGORIES,
    FLAG_AT,
    NOT_ASSESSED,
    moderation_result,
)
from rabat.attributes.quantities import QUANTITIES


def quantities(value: float) -> dict[str, float]:
    return dict.fromkeys(QUANTITIES, value)


def test_every_category_is_there_and_the_unmodelled_ones_read_not_assessed() -> None:
    result = moderation_result(quantities(0.9))
    assert list(result["categories"]) == list(CATEGORIES)
    assert set(NOT_ASSESSED) == {c for c in CATEGORIES if c not in ASSESSED}
    for category in NOT_ASSESSED:
        assert result["category_scores"][category] == 0.0
        assert result["categories"][category] is False
        assert result["category_applied_input_types"][category] == []
    for category in ASSESSED:
        assert result["category_applied_input_types"][category] == ["text"]


def test_a_category_is_flagged_from_its_calibrated_probability() -> None:
    low = moderation_result(quantities(FLAG_AT - 0.01))
    assert not low["flagged"] and not any(low["categories"].values())
    scores = {**quantities(0.0), "INCITEMENT": FLAG_AT}
    high = moderation_result(scores)
    assert high["flagged"] and high["categories"]["hate/threatening"]
    assert not high["categories"]["hate"]


def test_every_mapped_quantity_exists() -> None:
    assert set(ASSESSED.values()) <= set(QUANTITIES)


def test_the_openai_client_s_own_type_parses_a_result() -> None:
    parsed = Moderation.model_validate(moderation_result(quantities(0.7)))
    assert parsed.flagged and parsed.categories.hate
    assert parsed.category_scores.hate == 0.7 and parsed.category_scores.sexual == 0.0
    assert parsed.category_applied_input_types.sexual == []
