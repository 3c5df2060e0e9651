"""What a model reads in one text; torch-free, so the Rabat assessment can use it anywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prediction:
    """One text's prediction: the label, the probability of each label and the signals."""

    label: str
    scores: dict[str, float]
    target_groups: dict[str, float]
    call_to_violence: float
    dehumanisation: float
    truncated: bool

    @property
    def confidence(self) -> float:
        return self.scores[self.label]
