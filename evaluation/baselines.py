"""Baselines to compare the transformer against: TF-IDF + logistic regression, and HateSonar.

Each baseline has a `name` and `predict_proba(texts)` returning an n x 4 array with columns in
`rabat.labels.LABELS` order, the same interface the report uses for the transformer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from rabat.labels import LABELS
from training.labelled_files import read_labelled

logger = logging.getLogger(__name__)

SONAR_TO_LABEL: dict[str, str] = {
    "hate_speech": "hate_speech",
    "offensive_language": "offensive",
    "neither": "none",
}
"""HateSonar's three classes (Davidson et al. 2017) mapped onto ours; it has no incitement."""

SONAR_LOCALE = "en_US.UTF-8"
LOCALE_FIX = (
    "apt-get update && apt-get install -y locales && "
    "sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen && locale-gen"
)


class MissingLocaleError(RuntimeError):
    """HateSonar cannot start because the en_US.UTF-8 locale is not installed."""


class Baseline(Protocol):
    """What the report needs from a system: a name and label probabilities."""

    name: str

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


class TfidfBaseline:
    """Word 1-2 and character 2-5 grams, TF-IDF weighted, into a balanced logistic regression."""

    name = "tfidf_logreg"

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @classmethod
    def train(
        cls, texts: Sequence[str], labels: Sequence[str], random_state: int = 0
    ) -> TfidfBaseline:
        """Fit on texts and their labels (at least two distinct labels)."""
        distinct = sorted(set(labels))
        if len(distinct) < 2:
            raise ValueError(
                f"TF-IDF baseline: expected training labels from at least two classes, found "
                f"only {distinct}. Train it on a file with more than one label."
            )
        features = FeatureUnion(
            [
                (
                    "word",
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=200_000),
                ),
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=(2, 5),
                        sublinear_tf=True,
                        max_features=300_000,
                    ),
                ),
            ]
        )
        classifier = LogisticRegression(
            class_weight="balanced", max_iter=2000, random_state=random_state
        )
        pipeline = Pipeline([("features", features), ("classifier", classifier)])
        pipeline.fit(list(texts), list(labels))
        logger.info("trained TF-IDF baseline on %d texts (%s)", len(texts), ", ".join(distinct))
        return cls(pipeline)

    @classmethod
    def train_file(cls, path: str | Path, random_state: int = 0) -> TfidfBaseline:
        """Fit on a labelled file (see `training.labelled_files`)."""
        rows = read_labelled(path)
        return cls.train([r.text for r in rows], [r.label for r in rows], random_state)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """n x 4 probabilities in LABELS order; labels unseen in training get probability 0."""
        raw = self.pipeline.predict_proba(list(texts))
        probs = np.zeros((len(texts), len(LABELS)))
        for column, label in enumerate(self.pipeline.classes_):
            probs[:, LABELS.index(label)] = raw[:, column]
        return probs


class HateSonarBaseline:
    """The `hatesonar` PyPI model (Davidson et al. 2017 data), scored in batches."""

    name = "hatesonar"

    def __init__(self, batch_size: int = 256) -> None:
        self.batch_size = batch_size
        self._session, self._mapping = _load_sonar()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """n x 4 probabilities in LABELS order; incitement is always 0."""
        rows: list[dict[int, float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = np.asarray(list(texts[start : start + self.batch_size]), dtype=object)
            _, probabilities = self._session.run(None, {"text": batch})
            rows.extend(probabilities)
        return sonar_to_probs(rows, self._mapping)


def sonar_to_probs(rows: Sequence[dict[int, float]], mapping: dict[int, str]) -> np.ndarray:
    """Map HateSonar's per-class-id probabilities onto an n x 4 array in LABELS order."""
    probs = np.zeros((len(rows), len(LABELS)))
    for i, row in enumerate(rows):
        for class_id, probability in row.items():
            probs[i, LABELS.index(SONAR_TO_LABEL[mapping[class_id]])] = probability
    return probs


def _load_sonar() -> tuple[Any, dict[int, str]]:
    """Return HateSonar's ONNX session and class-id mapping; explain a missing locale."""
    from hatesonar.api import Sonar  # onnxruntime is heavy: load on first use only

    try:
        sonar = Sonar()
    except Exception as err:  # onnxruntime raises its own `Fail`, not importable stably
        if "locale" in str(err).lower():
            raise MissingLocaleError(
                f"HateSonar needs the {SONAR_LOCALE} locale (its ONNX text normaliser loads it) "
                f"and this machine lacks it. Install it as root with:\n  {LOCALE_FIX}\n"
                "or skip this baseline with --no-hatesonar."
            ) from err
        raise
    return sonar.sess, dict(sonar.mapping)
