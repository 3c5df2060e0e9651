"""The TF-IDF and HateSonar baselines: label mapping, shapes, training on a tiny file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evaluation.baselines import HateSonarBaseline, TfidfBaseline, sonar_to_probs
from rabat.labels import LABELS

SONAR_MAPPING = {0: "hate_speech", 1: "offensive_language", 2: "neither"}


def test_sonar_classes_map_onto_rabat_labels_with_no_incitement() -> None:
    rows = [{0: 0.1, 1: 0.2, 2: 0.7}, {0: 0.6, 1: 0.3, 2: 0.1}]
    probs = sonar_to_probs(rows, SONAR_MAPPING)
    expected = np.array([[0.7, 0.2, 0.1, 0.0], [0.1, 0.3, 0.6, 0.0]])
    np.testing.assert_allclose(probs, expected)
    assert list(LABELS) == ["none", "offensive", "hate_speech", "incitement"]


@pytest.mark.slow
def test_hatesonar_scores_mild_texts_in_labels_order() -> None:
    texts = ["have a nice day", "you are a silly goose", "shut up you fool"]
    sonar = HateSonarBaseline(batch_size=2)  # two batches: exercises batching
    probs = sonar.predict_proba(texts)
    assert probs.shape == (3, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert (probs[:, LABELS.index("incitement")] == 0).all()
    assert LABELS[probs[0].argmax()] == "none"
    # HateSonar calls this mild rudeness offensive_language.
    assert LABELS[probs[2].argmax()] == "offensive"


@pytest.mark.slow
def test_hatesonar_batches_match_single_texts() -> None:
    texts = ["have a nice day", "you are a silly goose", "shut up you fool"]
    sonar = HateSonarBaseline(batch_size=8)
    together = sonar.predict_proba(texts)
    alone = np.vstack([sonar.predict_proba([t]) for t in texts])
    np.testing.assert_allclose(together, alone, rtol=1e-6)


@pytest.mark.slow
def test_hatesonar_without_locale_names_the_fix() -> None:
    # glibc looks for locales under LOCPATH: an empty one hides en_US.UTF-8.
    code = "from evaluation.baselines import HateSonarBaseline; HateSonarBaseline()"
    env = {**os.environ, "LOCPATH": "/nonexistent"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "MissingLocaleError" in result.stderr
    assert "locale-gen" in result.stderr
    assert "--no-hatesonar" in result.stderr


def tiny_training_file(path: Path) -> Path:
    friendly = ["have a nice day", "what a lovely morning", "thanks for the help", "see you soon"]
    rude = ["you are a silly goose", "what a silly goose", "silly goose again", "such a goose"]
    records = [{"text": t, "label": "none"} for t in friendly]
    records += [{"text": t, "label": "offensive"} for t in rude]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_tfidf_baseline_learns_a_tiny_file(tmp_path: Path) -> None:
    baseline = TfidfBaseline.train_file(tiny_training_file(tmp_path / "train.jsonl"))
    probs = baseline.predict_proba(["a lovely day", "you silly goose"])
    assert baseline.name == "tfidf_logreg"
    assert probs.shape == (2, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert [LABELS[i] for i in probs.argmax(axis=1)] == ["none", "offensive"]
    # labels absent from training get probability 0
    assert (probs[:, LABELS.index("hate_speech")] == 0).all()
    assert (probs[:, LABELS.index("incitement")] == 0).all()


def test_tfidf_baseline_is_deterministic(tmp_path: Path) -> None:
    path = tiny_training_file(tmp_path / "train.jsonl")
    first = TfidfBaseline.train_file(path).predict_proba(["a silly morning"])
    second = TfidfBaseline.train_file(path).predict_proba(["a silly morning"])
    np.testing.assert_array_equal(first, second)


def test_tfidf_baseline_needs_two_labels() -> None:
    with pytest.raises(ValueError, match=r"at least two classes, found only \['none'\]"):
        TfidfBaseline.train(["a", "b"], ["none", "none"])
