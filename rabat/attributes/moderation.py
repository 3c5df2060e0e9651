"""OpenAI's moderation categories in Rabat's terms: five are scored from Rabat's calibrated
quantities, the others are outside what Rabat models and are reported as not assessed.

"Not assessed" must parse in the real client (every category score is a required float), so
such a category reads score 0.0 and false, with an empty `category_applied_input_types` list
(no input was assessed for it): the one field that tells "not looked at" from "looked at, found
nothing" in the format itself. Rabat's extension field lists them by name too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FLAG_AT = 0.5
"""A category is flagged when its calibrated probability reaches this: more likely than not."""

CATEGORIES: tuple[str, ...] = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)

ASSESSED: dict[str, str] = {
    "harassment": "INSULT",
    "harassment/threatening": "THREAT",
    "hate": "IDENTITY_ATTACK",
    "hate/threatening": "INCITEMENT",
    "violence": "THREAT",
}
"""category -> the Rabat quantity (rabat/attributes/quantities.py) that scores it."""

NOT_ASSESSED: tuple[str, ...] = tuple(c for c in CATEGORIES if c not in ASSESSED)


def moderation_result(quantities: Mapping[str, float]) -> dict[str, Any]:
    """One entry of `results`: flagged, categories, category_scores and applied input types."""
    scores = {c: quantities[ASSESSED[c]] if c in ASSESSED else 0.0 for c in CATEGORIES}
    categories = {c: c in ASSESSED and scores[c] >= FLAG_AT for c in CATEGORIES}
    return {
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": {c: ["text"] if c in ASSESSED else [] for c in CATEGORIES},
    }
