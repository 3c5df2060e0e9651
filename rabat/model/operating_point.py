"""The operating point: how a model's four scores become one label, the way the levels are defined.

The levels are cumulative: incitement is hate speech that also calls on others to act, and hate
speech is more than an insult. An argmax over the four scores forgets that order, so a text whose
hateful mass splits between `hate_speech` and `incitement` can come out `none` (0.39 against 0.23
and 0.28). The operating point decides in the order of the definitions instead:

1. hateful when p(hate_speech) + p(incitement) reaches the bar of the text's language;
2. a hateful text is `incitement` when incitement's share of that mass reaches the incitement bar
   of its language, else `hate_speech`;
3. a text that is not hateful is `offensive` or `none`, whichever scores higher.

Training chooses the bars per language on dev rows and the functional suites
(training/operating_point.py) and saves them in `rabat_model.json`; GET /model and the model card
state them. A language without a bar of its own, and a text whose language cannot be told, take
the `other` bars. A model without an operating point (saved before it existed) keeps the argmax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rabat.labels import LABELS, Label
from rabat.model.prediction import Prediction
from rabat.text.language import UNDETERMINED


@dataclass(frozen=True)
class OperatingPoint:
    """The bars of the cumulative decision: per language, and for every other language."""

    hateful_other: float
    incitement_other: float
    hateful: dict[str, float] = field(default_factory=dict)
    incitement: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bars = [self.hateful_other, self.incitement_other]
        bars += [*self.hateful.values(), *self.incitement.values()]
        if not all(0.0 < bar < 1.0 for bar in bars):
            raise ValueError(
                f"operating point bars must lie strictly between 0 and 1, found {sorted(bars)}: "
                "choose them again with `python -m training.operating_point`"
            )

    def bars(self, language: str) -> tuple[float, float]:
        """The (hateful, incitement) bars for a text in `language` (`und`: the other bars)."""
        if language == UNDETERMINED:
            return self.hateful_other, self.incitement_other
        return (
            self.hateful.get(language, self.hateful_other),
            self.incitement.get(language, self.incitement_other),
        )

    def decide(self, scores: Mapping[str, float], language: str) -> str:
        """The label of a text with these scores in `language`."""
        hateful_bar, incitement_bar = self.bars(language)
        return decide(scores, hateful_bar, incitement_bar)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": "cumulative",
            "hateful": dict(sorted(self.hateful.items())),
            "hateful_other": self.hateful_other,
            "incitement": dict(sorted(self.incitement.items())),
            "incitement_other": self.incitement_other,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> OperatingPoint:
        if raw.get("rule", "cumulative") != "cumulative":
            raise ValueError(
                f"unknown operating point rule {raw.get('rule')!r}: this rabat knows "
                "'cumulative'; install the rabat version the model was saved with"
            )
        return cls(
            hateful_other=float(raw["hateful_other"]),
            incitement_other=float(raw["incitement_other"]),
            hateful={str(k): float(v) for k, v in raw.get("hateful", {}).items()},
            incitement={str(k): float(v) for k, v in raw.get("incitement", {}).items()},
        )


_HS, _INC = LABELS.index(Label.HATE_SPEECH), LABELS.index(Label.INCITEMENT)
_OFF, _NONE = LABELS.index(Label.OFFENSIVE), LABELS.index(Label.NONE)


def decide_rows(probs: np.ndarray, hateful_bar: float, share_bar: float) -> np.ndarray:
    """The cumulative decision (the module's steps 1-3) for rows of probabilities in LABELS
    order: each row's label index."""
    hateful_mass = probs[:, _HS] + probs[:, _INC]
    hateful = hateful_mass >= hateful_bar
    share = np.divide(
        probs[:, _INC], hateful_mass, out=np.zeros(len(probs)), where=hateful_mass > 0
    )
    out = np.where(probs[:, _OFF] > probs[:, _NONE], _OFF, _NONE)
    out[hateful] = np.where(share[hateful] >= share_bar, _INC, _HS)
    return out


def decide(scores: Mapping[str, float], hateful_bar: float, incitement_bar: float) -> str:
    """The cumulative decision for one text's scores."""
    row = np.array([[scores[label] for label in LABELS]], dtype=float)
    return LABELS[int(decide_rows(row, hateful_bar, incitement_bar)[0])]


def argmax(scores: Mapping[str, float]) -> str:
    """The most probable label (a model without an operating point)."""
    return max(LABELS, key=lambda label: scores[label])


def apply(
    point: OperatingPoint | None, predictions: list[Prediction], languages: Sequence[str]
) -> list[Prediction]:
    """Each prediction labelled by `point` for its text's language (None: unchanged)."""
    if point is None:
        return predictions
    if len(languages) != len(predictions):
        raise ValueError(
            f"got {len(languages)} languages for {len(predictions)} texts: pass one each"
        )
    probs = np.array([[found.scores[label] for label in LABELS] for found in predictions])
    codes = np.asarray(languages)
    decided = np.empty(len(predictions), dtype=int)
    for code in set(languages):  # one call per language of the batch, not per text
        rows = codes == code
        decided[rows] = decide_rows(probs[rows], *point.bars(code))
    return [
        replace(found, label=LABELS[i])
        for found, i in zip(predictions, decided.tolist(), strict=True)
    ]
