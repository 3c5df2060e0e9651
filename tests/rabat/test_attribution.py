"""Evidence spans from gradient x input on a real (tiny) trained model."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.attribution import Attributor
from rabat.classifier import Classifier

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def attributor(smoke_model_dir: Path) -> Attributor:
    return Attributor(Classifier.load(smoke_model_dir), top_k=3, min_share=0.0)


def test_spans_slice_the_original_text(attributor: Attributor) -> None:
    texts = [
        "@someone you are a silly goose &amp; a clown https://example.org",
        "what a lovely garden",
    ]
    spans = attributor.explain(texts, ["incitement", "hate_speech"])
    assert all(spans)
    for text, row in zip(texts, spans, strict=True):
        assert 0 < len(row) <= 3
        for span in row:
            assert text[span.start : span.end] == span.text
            assert 0.0 < span.weight <= 1.0 and span.kind == "attribution"
        assert [s.start for s in row] == sorted(s.start for s in row)


def test_only_hateful_labels_get_evidence(attributor: Attributor) -> None:
    texts = ["have a nice day", "you are a silly goose", "you are a silly goose"]
    spans = attributor.explain(texts, ["none", "offensive", "hate_speech"])
    assert spans[0] == [] and spans[1] == [] and spans[2]


def test_batching_does_not_change_spans(attributor: Attributor) -> None:
    texts = ["you are a silly goose", "a clown and a goose", "silly silly goose"]
    together = attributor.explain(texts, ["hate_speech"] * 3)
    alone = [attributor.explain([t], ["hate_speech"])[0] for t in texts]
    assert [[(s.start, s.end) for s in r] for r in together] == [
        [(s.start, s.end) for s in r] for r in alone
    ]
