"""Token evidence scores into word spans, and when evidence is shown (pure logic)."""

from __future__ import annotations

from rabat.model.evidence import EvidencePolicy, to_raw_words, word_scores
from rabat.model.prediction import Prediction
from rabat.text.cleaning import clean_with_offsets


def prediction(label: str, hateful: float, words: tuple[tuple[int, int, float], ...]) -> Prediction:
    rest = (1.0 - hateful) / 2
    scores = {"none": rest, "offensive": rest, "hate_speech": hateful, "incitement": 0.0}
    return Prediction(label, scores, {}, 0.0, 0.0, False, words=words)


def test_a_word_takes_its_highest_token_and_special_tokens_are_skipped() -> None:
    text = "unbelievable goose"
    offsets = [(0, 0), (0, 2), (2, 12), (13, 18), (0, 0)]  # [CLS] un ##believable goose [SEP]
    assert word_scores(text, offsets, [0.9, 0.2, 0.7, 0.4, 0.9]) == [(0, 12, 0.7), (13, 18, 0.4)]


def test_a_token_inside_a_word_extends_to_the_whole_word() -> None:
    # only the middle of "goose!" is a token here: the word is what a reviewer sees
    assert word_scores("a goose!", [(2, 7)], [0.6]) == [(2, 8, 0.6)]


def test_words_on_one_original_stretch_merge_with_the_highest_score() -> None:
    # an emoji's name ("red heart") is two cleaned words from one character of the original
    _, offsets = clean_with_offsets("\U0001f600 ok")  # cleaned: "grinning face ok"
    words = [(0, 8, 0.2), (9, 13, 0.8), (14, 16, 0.1)]
    assert to_raw_words(offsets, words) == [(0, 1, 0.8), (2, 4, 0.1)]


def test_every_label_but_none_shows_the_words_near_the_best_in_text_order() -> None:
    text = "aa bb cc dd"
    words = ((0, 2, 0.4), (3, 5, 0.1), (6, 8, 0.3), (9, 11, 0.25))
    policy = EvidencePolicy(relative=0.6, top_k=2)
    spans = policy.spans(text, prediction("offensive", 0.1, words))
    assert [(s.start, s.end, s.text, s.weight) for s in spans] == [
        (0, 2, "aa", 0.4),
        (6, 8, "cc", 0.3),
    ]  # dd (0.25) is over 0.6 x 0.4 too, but top_k is 2
    assert all(s.kind == "evidence" for s in spans)


def test_none_gets_evidence_only_near_the_bar() -> None:
    words = ((0, 2, 0.9),)
    policy = EvidencePolicy(none_bar=0.3)

    def none_with(p_none: float) -> Prediction:
        rest = 1.0 - p_none
        scores = {"none": p_none, "offensive": rest / 2, "hate_speech": rest / 2, "incitement": 0.0}
        return Prediction("none", scores, {}, 0.0, 0.0, False, words=words)

    assert policy.spans("aa", none_with(0.8)) == []
    assert [s.text for s in policy.spans("aa", none_with(0.6))] == ["aa"]


def test_nothing_is_shown_when_even_the_best_word_is_under_the_floor() -> None:
    policy = EvidencePolicy(floor_score=0.2)
    low = ((0, 2, 0.1), (3, 5, 0.05))
    assert policy.spans("aa bb", prediction("hate_speech", 0.8, low)) == []


def test_a_span_serialises_like_asdict() -> None:
    from dataclasses import asdict

    from rabat.text.markers import Span

    span = Span(1, 4, "abc", "evidence", 0.5)
    assert span.to_dict() == asdict(span)
