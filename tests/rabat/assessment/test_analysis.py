"""The Analyzer on a real (tiny) model: evidence comes from the forward pass, per text."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.assessment.analysis import Analyzer
from rabat.model.evidence import EvidencePolicy

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
TEXTS = ["you are a silly goose", "have a nice day", "a clown and a goose"]
# every label shows its evidence, whatever the smoke model predicts
SHOW_ALL = EvidencePolicy(relative=0.0, floor_score=0.0, none_bar=0.0)


@pytest.fixture(scope="module")
def analyzer(smoke_model_dir: Path) -> Analyzer:
    return Analyzer.load(smoke_model_dir, ROOT / "configs/rabat.yaml", evidence_policy=SHOW_ALL)


def test_explain_flags_choose_the_texts_that_get_evidence(analyzer: Analyzer) -> None:
    results = analyzer.analyze(TEXTS, [None] * 3, explain=[True, False, True])
    assert [bool(r.evidence) for r in results] == [True, False, True]
    for text, result in zip(TEXTS, results, strict=True):
        for span in result.evidence:
            assert text[span.start : span.end] == span.text and span.kind == "evidence"
    assert all(r.evidence == [] for r in analyzer.analyze(TEXTS, [None] * 3, [False] * 3))


def test_evidence_off_leaves_every_text_without_spans(smoke_model_dir: Path) -> None:
    quiet = Analyzer.load(smoke_model_dir, ROOT / "configs/rabat.yaml", evidence=False)
    assert all(r.evidence == [] for r in quiet.analyze(TEXTS, [None] * 3))


def test_results_follow_input_order_and_need_one_context_each(analyzer: Analyzer) -> None:
    results = analyzer.analyze(TEXTS, [None] * 3)
    alone = [analyzer.analyze([t], [None])[0] for t in TEXTS]
    assert [r.prediction.label for r in results] == [r.prediction.label for r in alone]
    assert [r.evidence for r in results] == [r.evidence for r in alone]
    with pytest.raises(ValueError, match="pass one each"):
        analyzer.analyze(TEXTS, [None])


def test_onnx_predictor_gives_the_same_evidence_as_torch(onnx_model_dir: Path) -> None:
    policy = ROOT / "configs/rabat.yaml"
    torch_side = Analyzer.load(onnx_model_dir, policy, evidence_policy=SHOW_ALL)
    onnx_side = Analyzer.load(onnx_model_dir, policy, backend="onnx", evidence_policy=SHOW_ALL)
    for a, b in zip(
        torch_side.analyze(TEXTS, [None] * 3), onnx_side.analyze(TEXTS, [None] * 3), strict=True
    ):
        assert [(s.start, s.end) for s in a.evidence] == [(s.start, s.end) for s in b.evidence]
        assert [s.weight for s in a.evidence] == pytest.approx(
            [s.weight for s in b.evidence], abs=1e-3
        )


def test_a_long_text_decision_cites_its_most_severe_window(analyzer: Analyzer) -> None:
    from rabat.assessment.context import Context

    text = "The weather report for the coast is calm and mild. " * 40 + "we must act tonight"
    context = Context.model_validate(
        {"speaker": {"role": "political_leader"}, "reach": {"medium": "broadcast"},
         "setting": {"armed_conflict": True}}
    )  # fmt: skip
    (result,) = analyzer.analyze([text], [context])
    body = result.to_dict(analyzer.target_bar)
    window = result.prediction.window
    assert result.prediction.windows > 1 and window is not None
    assert body["rabat"]["window"] == {"start": window[0], "end": window[1]}
    assert f"characters {window[0]}-{window[1]}" in body["rabat"]["summary"]
    for factor in body["rabat"]["factors"].values():
        for span in factor["spans"]:
            assert window[0] <= span["start"] and span["end"] <= window[1]
