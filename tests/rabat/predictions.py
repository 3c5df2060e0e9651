"""Synthetic predictions and contexts for the tests of the pure Rabat logic (assessment,
decision)."""

from __future__ import annotations

from rabat.labels import LABELS
from rabat.model.prediction import Prediction
from rabat.signals import TARGET_GROUPS


def signals(
    label: str, p: float, violence: float = 0.0, dehum: float = 0.0, target: float = 0.0
) -> Prediction:
    """`label` at probability p, the rest shared evenly; one target group (religion) at `target`."""
    rest = (1.0 - p) / (len(LABELS) - 1)
    scores = {k: (p if k == label else rest) for k in LABELS}
    targets = dict.fromkeys(TARGET_GROUPS, 0.0) | {"religion": target}
    return Prediction(label, scores, targets, violence, dehum, truncated=False)


HIGH = {  # an influential speaker, a mass audience, violence against the group under way
    "speaker": {"role": "political_leader", "influence": "high"},
    "reach": {"audience_size": 200000, "public": True, "medium": "broadcast", "repetition": 5},
    "setting": {
        "armed_conflict": True,
        "recent_violence_against_target": True,
        "risk_level": "high",
    },
}
