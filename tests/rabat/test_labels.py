"""The label list: order, definitions, parsing and the mismatch check."""

from __future__ import annotations

import pytest

from rabat.labels import DEFINITIONS, HATEFUL, LABELS, Label, check_labels, parse_label


def test_labels_are_ordered_by_severity() -> None:
    assert LABELS == ("none", "offensive", "hate_speech", "incitement")
    assert [Label(x).severity for x in LABELS] == [0, 1, 2, 3]


def test_every_label_has_a_definition() -> None:
    assert set(DEFINITIONS) == set(LABELS)
    assert all(Label(x).definition for x in LABELS)


def test_hateful_is_hate_speech_or_incitement() -> None:
    assert {"hate_speech", "incitement"} == HATEFUL
    assert not Label.OFFENSIVE.is_hateful


def test_parse_label_lists_valid_labels() -> None:
    assert parse_label("incitement") is Label.INCITEMENT
    with pytest.raises(
        ValueError, match=r"unknown label 'hate'.*none, offensive, hate_speech, incitement"
    ):
        parse_label("hate")


def test_check_labels_fails_loudly_on_mismatch() -> None:
    check_labels(list(LABELS), "here")
    with pytest.raises(ValueError, match=r"label list mismatch in model/config.json.*Retrain"):
        check_labels(["none", "hate_speech"], "model/config.json")
