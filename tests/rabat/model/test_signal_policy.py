"""A model's saved signal policy: the file round-trip, its errors, and the Analyzer using it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from rabat.assessment.analysis import Analyzer
from rabat.assessment.policy import load_policy
from rabat.model.evidence import EvidencePolicy
from rabat.model.meta import ModelMeta
from rabat.model.prediction import Prediction
from rabat.model.signal_policy import SIGNAL_POLICY_FILE, SignalPolicy, read_signal_policy
from rabat.signals import TARGET_GROUPS
from rabat.text.language import Language

ROOT = Path(__file__).resolve().parents[3]
TEXT = "aaaa bbbb cccc"
SAVED = SignalPolicy(
    evidence_other=EvidencePolicy(relative=1.0, top_k=1),
    evidence={"fr": EvidencePolicy(relative=0.2, top_k=3)},
    target_bars={"religion": 0.9, "gender": None},
    report={"evidence": {"rows": 3}},
)


def test_the_file_round_trips(tmp_path: Path) -> None:
    SAVED.write(tmp_path)
    assert read_signal_policy(tmp_path) == SAVED


def test_a_model_without_the_file_has_none(tmp_path: Path) -> None:
    assert read_signal_policy(tmp_path) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": 9}, "format 9, expected 1"),
        ({"target_bars": {"planets": 0.5}}, "unknown target groups"),
        ({"target_bars": {"religion": 1.5}}, r"must lie in \(0, 1\]"),
        ({"evidence": {"other": {"relative": 0.5}}}, "must have exactly"),
        ({"evidence": {"other": {**vars(EvidencePolicy()), "top_k": 0}}}, "top_k 0"),
    ],
)
def test_a_broken_file_says_what_is_wrong(tmp_path: Path, change: dict, message: str) -> None:
    (tmp_path / SIGNAL_POLICY_FILE).write_text(json.dumps(SAVED.to_json() | change))
    with pytest.raises(ValueError, match=message) as raised:
        read_signal_policy(tmp_path)
    assert "training.signal_policy" in str(raised.value)


class StandIn:
    """A model that reads every text the same way."""

    meta = ModelMeta(
        "v",
        ("none", "offensive", "hate_speech", "incitement"),
        TARGET_GROUPS,
        ("call_to_violence", "dehumanisation"),
        96,
        "stand-in",
    )
    batch_size = 8
    version = "v"

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]:
        scores = {"none": 0.1, "offensive": 0.1, "hate_speech": 0.7, "incitement": 0.1}
        groups = {g: 0.0 for g in TARGET_GROUPS} | {"religion": 0.8, "gender": 0.99, "other": 0.6}
        words = ((0, 4, 0.9), (5, 9, 0.6), (10, 14, 0.5))
        return [Prediction("hate_speech", scores, groups, 0.0, 0.0, False, words=words)] * len(
            texts
        )


def analyze(analyzer: Analyzer, code: str) -> tuple[list[str], list[str]]:
    found = analyzer.analyze([TEXT], [None], languages=[Language(code, 1.0, (code,))])[0]
    return [s.text for s in found.evidence], found.to_dict(analyzer.target_bar)["signals"][
        "targets_detected"
    ]


def test_the_analyzer_uses_the_models_evidence_per_language_and_its_bars() -> None:
    analyzer = Analyzer(StandIn(), load_policy(ROOT / "configs/rabat.yaml"), signal_policy=SAVED)
    # religion 0.8 under its bar 0.9; gender never listed; other at the policy's 0.5
    assert analyze(analyzer, "en") == (["aaaa"], ["other"])
    assert analyze(analyzer, "fr") == (["aaaa", "bbbb", "cccc"], ["other"])


def test_without_a_saved_policy_the_defaults_serve() -> None:
    analyzer = Analyzer(StandIn(), load_policy(ROOT / "configs/rabat.yaml"))
    assert analyze(analyzer, "en") == (["aaaa", "bbbb", "cccc"], ["gender", "other", "religion"])


def test_analyzer_load_reads_the_policy_saved_with_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rabat.assessment.analysis.load_classifier", lambda *a, **k: StandIn())
    SAVED.write(tmp_path)
    analyzer = Analyzer.load(tmp_path, ROOT / "configs/rabat.yaml")
    assert analyzer.signal_policy == SAVED
    assert analyze(analyzer, "en") == (["aaaa"], ["other"])


def test_the_intent_factor_names_the_groups_the_models_bars_detect() -> None:
    analyzer = Analyzer(StandIn(), load_policy(ROOT / "configs/rabat.yaml"), signal_policy=SAVED)
    found = analyzer.analyze([TEXT], [None], languages=[Language("en", 1.0, ("en",))])[0]
    notes = [n for n in found.assessment.factors["intent"].evidence if "target group" in n]
    assert notes == ["target group: other (0.60)"]
