"""The Python API on a real (tiny) trained model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rabat.labels import LABELS
from rabat.model.torch_backend import Classifier
from rabat.signals import TARGET_GROUPS

pytestmark = pytest.mark.slow

TEXTS = ["have a nice day", "you are a silly goose", "what a lovely garden", "this is fine"]


@pytest.fixture(scope="module")
def classifier(smoke_model_dir: Path) -> Classifier:
    return Classifier.load(smoke_model_dir, batch_size=2)


def test_predict_returns_labels_scores_and_signals(classifier: Classifier) -> None:
    preds = classifier.predict(TEXTS)
    assert len(preds) == len(TEXTS)
    for pred in preds:
        assert pred.label in LABELS
        assert list(pred.scores) == list(LABELS)
        assert sum(pred.scores.values()) == pytest.approx(1.0, abs=1e-5)
        assert pred.label == max(pred.scores, key=pred.scores.__getitem__)
        assert set(pred.target_groups) == set(TARGET_GROUPS)
        assert 0.0 <= pred.call_to_violence <= 1.0 and 0.0 <= pred.dehumanisation <= 1.0


def test_batches_keep_input_order(classifier: Classifier) -> None:
    together = classifier.predict(TEXTS)
    alone = [classifier.predict([t])[0] for t in TEXTS]
    for a, b in zip(together, alone, strict=True):
        assert a.scores == pytest.approx(b.scores, abs=1e-4)


def test_long_text_is_read_in_windows_and_flagged(classifier: Classifier) -> None:
    short, long = classifier.predict(["a short note", "word " * 400])
    assert not short.truncated and long.truncated
    assert short.windows == 1 and long.windows > 1 and long.window is not None


def test_text_is_cleaned_like_training_data(classifier: Classifier) -> None:
    a, b = classifier.predict(["@someone look &amp; see", "@user look & see"])
    assert a.scores == pytest.approx(b.scores, abs=1e-5)


def test_single_string_is_a_clear_error(classifier: Classifier) -> None:
    with pytest.raises(TypeError, match="wrap it in"):
        classifier.predict("one text")  # type: ignore[arg-type]


def test_missing_directory_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="`make run` installs the released model"):
        Classifier.load(tmp_path / "absent")


def test_label_mismatch_fails_loudly(smoke_model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(smoke_model_dir, copy)
    meta = json.loads((copy / "rabat_model.json").read_text())
    meta["labels"] = ["none", "toxic", "hate_speech", "incitement"]
    (copy / "rabat_model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="label list mismatch"):
        Classifier.load(copy)


def test_hugging_face_pipeline_reads_the_same_model(
    smoke_model_dir: Path, classifier: Classifier
) -> None:
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(smoke_model_dir), top_k=None)
    for text, pred in zip(TEXTS, classifier.predict(TEXTS), strict=True):
        scores = {row["label"]: row["score"] for row in pipe([text])[0]}
        assert scores == pytest.approx(pred.scores, abs=1e-4)


def test_evidence_words_land_on_the_text_as_sent(classifier: Classifier) -> None:
    """The cleaner rewrites handles, links, entities and emoji, and keeps combining marks: each
    scored word is still a whole stretch of the caller's text."""
    raw = "RT @someone:  cafe\u0301 &amp; cre\u0300me https://example.org/x?y=1 \u2764\ufe0f ok"
    (pred,) = classifier.predict([raw])
    pieces = [raw[a:b] for a, b, _ in pred.words]
    assert pieces == [
        "@someone:",
        "cafe\u0301",
        "&amp;",
        "cre\u0300me",
        "https://example.org/x?y=1",
        "\u2764\ufe0f",
        "ok",
    ]
    assert all(0.0 <= score <= 1.0 for _, _, score in pred.words)


def test_evidence_of_a_long_text_comes_from_its_deciding_window(classifier: Classifier) -> None:
    raw = "The council met on Tuesday to discuss the library. " * 40
    (pred,) = classifier.predict([raw])
    assert pred.window is not None and pred.words
    start, end = pred.window
    assert all(start <= a < b <= end for a, b, _ in pred.words)
    assert all(raw[a:b] == raw[a:b].strip() and raw[a:b] for a, b, _ in pred.words)
