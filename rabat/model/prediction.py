"""What a model reads in one text; torch-free, so the Rabat assessment can use it anywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prediction:
    """One text's prediction: the label, the probability of each label and the signals.

    A text longer than the model's window is read in `windows` overlapping windows
    (`rabat.model.windows`); the most severe decides, and `window` is its character span in the text
    as given (None when the text fit in one window). `truncated` says the text took more than
    one window. `words`: every word the deciding window read, as (start, end, evidence score)
    in the text as given; the score is the evidence head's p(this word carries the label)."""

    label: str
    scores: dict[str, float]
    target_groups: dict[str, float]
    call_to_violence: float
    dehumanisation: float
    truncated: bool
    windows: int = 1
    window: tuple[int, int] | None = None
    words: tuple[tuple[int, int, float], ...] = ()

    @property
    def confidence(self) -> float:
        return self.scores[self.label]
