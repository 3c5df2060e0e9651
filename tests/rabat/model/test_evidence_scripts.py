"""Evidence spans on non-Latin scripts with the multilingual tokenizer (XLM-R SentencePiece):
token offsets land on the right characters, and a word's span is that word."""

from __future__ import annotations

import itertools

import pytest
from transformers import AutoTokenizer

from rabat.model.evidence import word_scores
from training import e5_convert

# Everyday sentences; the word the test scores highest is the second item.
SENTENCES = {
    "arabic": ("يفتح المتحف أبوابه للزوار كل يوم", "أبوابه"),
    "devanagari": ("बच्चे शाम को पार्क में क्रिकेट खेलते हैं", "क्रिकेट"),
    "chinese": ("我们明天早上在图书馆门口见面", "图书馆"),
    "mixed": ("Le musée 博物馆 ouvre à neuf heures", "博物馆"),
}


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = tmp_path_factory.mktemp("xlmr-tokenizer")
    e5_convert.write_tokenizer(folder)
    return AutoTokenizer.from_pretrained(str(folder))


@pytest.mark.parametrize("name", sorted(SENTENCES))
def test_token_offsets_cover_the_tokens_own_characters(tokenizer: object, name: str) -> None:
    text, _ = SENTENCES[name]
    found = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)  # type: ignore[operator]
    pieces = tokenizer.convert_ids_to_tokens(found["input_ids"])  # type: ignore[attr-defined]
    covered = ""
    for piece, (start, end) in zip(pieces, found["offset_mapping"], strict=True):
        surface = piece.replace("\u2581", "")
        if surface:  # a lone word-start piece is no character of its own
            assert text[start:end] == surface, (piece, text[start:end])
            covered += text[start:end]
    assert covered.replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("name", sorted(SENTENCES))
def test_the_best_scored_word_is_exactly_that_word(tokenizer: object, name: str) -> None:
    text, word = SENTENCES[name]
    at = text.index(word)
    found = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)  # type: ignore[operator]
    offsets = [tuple(pair) for pair in found["offset_mapping"]]
    scores = [0.9 if at <= s < at + len(word) else 0.1 for s, _ in offsets]
    words = word_scores(text, offsets, scores)
    best = max(words, key=lambda w: w[2])
    assert text[best[0] : best[1]] == word
    assert all(text[s:e].strip() for s, e, _ in words)
    # words do not overlap and stay in text order
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(words))
