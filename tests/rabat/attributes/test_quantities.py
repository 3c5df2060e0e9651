"""What each quantity reads of a prediction, and which labelled rows count as positive."""

from __future__ import annotations

import pytest

from rabat.attributes.quantities import QUANTITIES
from rabat.labels import LABELS
from rabat.model.prediction import Prediction


def prediction(cv: float = 0.0, **scores: float) -> Prediction:
    full = {"none": 0.0, "offensive": 0.0, "hate_speech": 0.0, "incitement": 0.0, **scores}
    return Prediction("none", full, {}, call_to_violence=cv, dehumanisation=0.0, truncated=False)


def raw(name: str, p: Prediction) -> float:
    return QUANTITIES[name].raw(p)


def test_each_quantity_reads_its_labels() -> None:
    p = prediction(none=0.1, offensive=0.2, hate_speech=0.3, incitement=0.4)
    assert raw("TOXICITY", p) == pytest.approx(0.9)
    assert raw("IDENTITY_ATTACK", p) == pytest.approx(0.7)
    assert raw("INSULT", p) == pytest.approx(0.5)
    assert raw("INCITEMENT", p) == pytest.approx(0.4)


def test_a_call_to_violence_raises_threat_and_severe_toxicity_but_not_identity_attack() -> None:
    p = prediction(cv=0.9, none=0.9, offensive=0.1)
    assert raw("THREAT", p) == pytest.approx(0.9)
    assert raw("SEVERE_TOXICITY", p) == pytest.approx(0.9)
    assert raw("IDENTITY_ATTACK", p) == pytest.approx(0.0)


def test_every_quantity_is_a_probability() -> None:
    for scores in ({"none": 1.0}, {"incitement": 1.0}, {"hate_speech": 0.6, "incitement": 0.6}):
        for name in QUANTITIES:
            assert 0.0 <= raw(name, prediction(cv=1.0, **scores)) <= 1.0


def test_targets_follow_the_labels() -> None:
    positive = {
        name: [label for label in LABELS if q.positive(label, 0)] for name, q in QUANTITIES.items()
    }
    assert positive["TOXICITY"] == ["offensive", "hate_speech", "incitement"]
    assert positive["IDENTITY_ATTACK"] == ["hate_speech", "incitement"]
    assert positive["INSULT"] == ["offensive", "hate_speech"]
    assert positive["INCITEMENT"] == ["incitement"]


def test_a_threat_is_unknown_where_the_row_does_not_annotate_violence() -> None:
    threat = QUANTITIES["THREAT"].positive
    assert threat("offensive", -1) is None
    assert threat("incitement", -1) is True
    assert threat("none", 1) is True and threat("none", 0) is False
