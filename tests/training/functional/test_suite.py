"""The functional suite: generated from templates, groups and a lexicon; scored per category."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from rabat.labels import LABELS
from training.functional.suite import (
    EXPECTED,
    OBFUSCATED,
    below_floors,
    build_cases,
    derive_slurs,
    score,
)


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lexicon") / "slurs.txt"
    path.write_text("# placeholders stand in for slurs here\nplaceholderone\nplaceholdertwo\n")
    return path


def test_every_category_is_filled_with_every_group_and_slur(tmp_path: Path, lexicon: Path) -> None:
    cases = build_cases(tmp_path, lexicon)
    per = Counter(case.category for case in cases)
    assert per["threat_direct"] == 5 * 9  # five templates, nine groups
    assert per["slur"] == 4 * 2
    assert {f"obfuscation_{k}" for k in ("spaced", "leet", "dropped", "swapped", "doubled")} <= set(
        per
    )
    assert all("{" not in case.text and "[" not in case.text for case in cases)
    assert {case.expect for case in cases} <= set(EXPECTED)
    spaced = [c.text for c in cases if c.category == "obfuscation_spaced"]
    assert "p l a c e h o l d e r o n e" in " ".join(spaced)
    assert build_cases(tmp_path, lexicon) == cases  # deterministic


def test_slurs_are_derived_from_the_corpora_without_identity_words(data_dir: Path) -> None:
    words = derive_slurs(data_dir, ["white", "black"])
    assert 1 <= len(words) <= 6
    assert "white" not in words and all(w.isalpha() for w in words)


def test_scoring_counts_a_case_right_when_its_label_is_expected(
    tmp_path: Path, lexicon: Path
) -> None:
    cases = build_cases(tmp_path, lexicon)
    always_none = np.tile(np.eye(len(LABELS))[LABELS.index("none")], (len(cases), 1))
    result = score(cases, lambda texts: always_none[: len(texts)])
    assert result["categories"]["neutral_mention"]["accuracy"] == 1.0
    assert result["categories"]["threat_direct"]["accuracy"] == 0.0
    hateful = sum(1 for c in cases if c.expect != "not_hateful")
    assert result["overall"] == pytest.approx(1 - hateful / len(cases))
    below = below_floors(result, {"neutral_mention": 1.0}, default=0.5)
    assert "neutral_mention" not in below and below["threat_direct"] == (0.0, 0.5)
    assert set(OBFUSCATED) <= set(result["categories"])


@pytest.mark.slow
def test_the_suite_runs_on_the_smoke_model(smoke_model_dir: Path, lexicon: Path) -> None:
    from rabat.model.torch_backend import Classifier
    from training.inference import probabilities

    classifier = Classifier.load(smoke_model_dir)
    cases = build_cases(smoke_model_dir, lexicon)
    result = score(cases, lambda texts: probabilities(classifier, texts))
    assert result["cases"] == len(cases)
    assert all(0 <= c["accuracy"] <= 1 for c in result["categories"].values())
