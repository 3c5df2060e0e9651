"""Perspective's attributes in Rabat's terms: offsets, sentences, spans, thresholds, errors."""

from __future__ import annotations

import pytest

from rabat.attributes.perspective import (
    ATTRIBUTES,
    attribute_scores,
    sentences,
    span_scores,
    unknown_attribute_message,
    utf16_offset,
)
from rabat.attributes.quantities import QUANTITIES

QUANTITY_SCORES = {name: 0.1 * (i + 1) for i, name in enumerate(QUANTITIES)}


def test_offsets_count_utf16_code_units_as_perspective_does() -> None:
    text = "a\U0001f600b"  # an emoji outside the Basic Multilingual Plane: two code units
    assert utf16_offset(text, 1) == 1
    assert utf16_offset(text, 2) == 3
    assert utf16_offset(text, 3) == 4


def test_sentences_start_at_their_first_character() -> None:
    text = "One. Two!  Three?\nfour"
    assert [text[a:b] for a, b in sentences(text)] == ["One.", "Two!", "Three?", "four"]
    assert sentences("   ") == []


def test_without_span_annotations_the_whole_text_is_one_span() -> None:
    (span,) = span_scores("One. Two.", 0.8, [(0, 3, 0.9)], per_sentence=False)
    assert (span["begin"], span["end"], span["score"]["value"]) == (0, 9, 0.8)


def test_the_sentence_holding_the_most_marked_word_keeps_the_summary_score() -> None:
    text = "Fine words. Marked word here."
    words = [(0, 4, 0.1), (12, 18, 0.8)]
    first, second = span_scores(text, 0.6, words, per_sentence=True)
    assert (first["begin"], first["end"]) == (0, 11)
    assert (second["begin"], second["end"]) == (12, len(text))
    assert second["score"]["value"] == 0.6
    assert first["score"]["value"] == pytest.approx(0.6 * 0.1 / 0.8, abs=1e-4)


def test_scores_under_their_threshold_are_left_out() -> None:
    requested = {"TOXICITY": None, "THREAT": 0.99, "INSULT": 0.0}
    scores = attribute_scores("some text", QUANTITY_SCORES, requested, [], False)
    assert set(scores) == {"TOXICITY", "INSULT"}
    summary = scores["TOXICITY"]["summaryScore"]
    assert summary == {"value": QUANTITY_SCORES["TOXICITY"], "type": "PROBABILITY"}


def test_every_attribute_has_perspective_s_definition_and_a_rabat_quantity() -> None:
    assert set(ATTRIBUTES) == {"TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "THREAT"}
    for attribute in ATTRIBUTES.values():
        assert attribute.quantity in QUANTITIES and attribute.definition.endswith(".")


def test_an_unknown_attribute_s_message_names_it_and_the_ones_rabat_scores() -> None:
    message = unknown_attribute_message("SPAM")
    assert message.startswith("Unknown requested attribute: SPAM")
    assert all(name in message for name in ATTRIBUTES)
    assert "profanity signal" in unknown_attribute_message("PROFANITY")
