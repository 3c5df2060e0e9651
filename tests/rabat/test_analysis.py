"""The Analyzer on a real (tiny) model: explain flags decide which texts get attributions."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.analysis import Analyzer
from rabat.markers import Span

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["you are a silly goose", "have a nice day", "a clown and a goose"]


@pytest.fixture(scope="module")
def analyzer(smoke_model_dir: Path) -> Analyzer:
    return Analyzer.load(smoke_model_dir, ROOT / "configs/rabat.yaml")


def test_explain_flags_choose_the_texts_to_attribute(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []

    def spy(texts: list[str], labels: list[str]) -> list[list[Span]]:
        asked.append(list(texts))
        return [[Span(0, 3, t[:3], "attribution")] for t in texts]

    assert analyzer.attributor is not None
    monkeypatch.setattr(analyzer.attributor, "explain", spy)
    results = analyzer.analyze(TEXTS, [None] * 3, explain=[True, False, True])
    assert asked == [[TEXTS[0], TEXTS[2]]]
    assert [bool(r.evidence) for r in results] == [True, False, True]
    assert analyzer.analyze(TEXTS, [None] * 3, explain=[False] * 3)[0].evidence == []
    assert len(asked) == 1  # nothing to attribute, no call


def test_results_follow_input_order_and_need_one_context_each(analyzer: Analyzer) -> None:
    results = analyzer.analyze(TEXTS, [None] * 3)
    alone = [analyzer.analyze([t], [None])[0] for t in TEXTS]
    assert [r.prediction.label for r in results] == [r.prediction.label for r in alone]
    with pytest.raises(ValueError, match="pass one each"):
        analyzer.analyze(TEXTS, [None])


def test_onnx_predictor_needs_an_explainer_for_attributions(onnx_model_dir: Path) -> None:
    from rabat.onnx_backend import OnnxClassifier
    from rabat.policy import load_policy

    with pytest.raises(ValueError, match="explainer"):
        Analyzer(OnnxClassifier.load(onnx_model_dir), load_policy(ROOT / "configs/rabat.yaml"))
