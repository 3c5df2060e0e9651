"""A real trained model marks the word that carries the label (slow: about a minute of
training on the corpora with rationales, configs/smoke-evidence.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rabat.model.torch_backend import Classifier
from tests.fixtures import train_config
from training.functional.suite import GROUPS, derive_slurs

pytestmark = pytest.mark.slow
# {slur} is filled at run time from the corpora; the other words are plain English
FRAMES = [
    "you are a {slur}",
    "shut up you stupid {slur}",
    "typical {slur} behaviour again",
    "my neighbour is a {slur} and everyone knows it",
]


@pytest.fixture(scope="module")
def evidence_model(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    return train_config("smoke-evidence.yaml", tmp_path_factory.mktemp("evidence"), data_dir)


def test_the_trained_evidence_head_marks_the_slur_not_the_function_words(
    evidence_model: Path, data_dir: Path
) -> None:
    identity = yaml.safe_load(GROUPS.read_text(encoding="utf-8"))["identity_words"]
    slurs = derive_slurs(data_dir, identity)[:6]
    assert slurs, "the corpora gave no slur to fill the frames with"
    texts = [frame.format(slur=slur) for frame in FRAMES for slur in slurs]
    predictions = Classifier.load(evidence_model).predict(texts)
    top_is_slur = 0
    for text, pred, slur in zip(
        texts, predictions, [s for _ in FRAMES for s in slurs], strict=True
    ):
        assert [text[a:b] for a, b, _ in pred.words] == text.split()
        best = max(pred.words, key=lambda w: w[2])
        top_is_slur += text[best[0] : best[1]] == slur
    assert top_is_slur >= 0.75 * len(texts), f"slur top-scored in {top_is_slur}/{len(texts)}"
