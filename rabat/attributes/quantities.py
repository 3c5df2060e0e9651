"""The quantities Rabat scores for other services' attributes.

Each is a function of one prediction (its label probabilities and signals) and has a target:
which labelled rows count as positive, so that training/attributes.py can calibrate it into the
probability that a reader would see the attribute (Perspective's promise). docs/migrating.md
explains each choice; the calibrated curves live in the model's `attributes.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rabat.labels import Label
from rabat.model.prediction import Prediction

NONE, OFFENSIVE = Label.NONE.value, Label.OFFENSIVE.value
HATE_SPEECH, INCITEMENT = Label.HATE_SPEECH.value, Label.INCITEMENT.value


@dataclass(frozen=True)
class Quantity:
    """`raw(prediction)` in [0, 1]; `positive(label, call_to_violence)` says whether a labelled
    row has the attribute (None: the row cannot tell, it is left out of the fit)."""

    name: str
    meaning: str
    raw: Callable[[Prediction], float]
    positive: Callable[[str, int], bool | None]


def _p(prediction: Prediction, *labels: str) -> float:
    return min(1.0, max(0.0, sum(prediction.scores.get(label, 0.0) for label in labels)))


def _threat(label: str, call_to_violence: int) -> bool | None:
    if label == INCITEMENT or call_to_violence == 1:
        return True
    return None if call_to_violence < 0 else False


QUANTITIES: dict[str, Quantity] = {
    q.name: q
    for q in (
        Quantity(
            "TOXICITY",
            "the text is offensive, hate speech or incitement (anything but none)",
            lambda p: 1.0 - _p(p, NONE),
            lambda label, _: label != NONE,
        ),
        Quantity(
            "SEVERE_TOXICITY",
            "the text is hate speech or incitement, or calls for violence against anyone: an "
            "attack, not merely rudeness",
            lambda p: max(_p(p, HATE_SPEECH, INCITEMENT), p.call_to_violence),
            lambda label, cv: label in (HATE_SPEECH, INCITEMENT) or cv == 1,
        ),
        Quantity(
            "IDENTITY_ATTACK",
            "the text attacks a person or group on the basis of identity (hate speech or "
            "incitement, whose definitions require a protected characteristic)",
            lambda p: _p(p, HATE_SPEECH, INCITEMENT),
            lambda label, _: label in (HATE_SPEECH, INCITEMENT),
        ),
        Quantity(
            "INSULT",
            "the text insults or demeans a person or group (offensive or hate speech)",
            lambda p: _p(p, OFFENSIVE, HATE_SPEECH),
            lambda label, _: label in (OFFENSIVE, HATE_SPEECH),
        ),
        Quantity(
            "THREAT",
            "the text threatens or calls for violence (incitement, or a call to violence)",
            lambda p: max(_p(p, INCITEMENT), p.call_to_violence),
            _threat,
        ),
        Quantity(
            "INCITEMENT",
            "the text is incitement: advocacy of hatred that incites discrimination, hostility "
            "or violence (ICCPR art. 20(2))",
            lambda p: _p(p, INCITEMENT),
            lambda label, _: label == INCITEMENT,
        ),
    )
}
