"""Temperature sampling of the training split by language: shares, repetition, determinism."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training.config import load_config
from training.sampling import language_targets, sample_languages


def frame(counts: dict[str, int]) -> pd.DataFrame:
    rows = [
        {"text": f"{lang}{i}", "key": f"{lang}{i}", "language": lang, "label": "none"}
        for lang, n in counts.items()
        for i in range(n)
    ]
    return pd.DataFrame(rows)


def test_alpha_one_keeps_the_natural_shares_and_lower_alpha_flattens_them() -> None:
    counts = {"en": 9000, "it": 1000}
    assert language_targets(counts, alpha=1.0, total=10000) == counts
    flat = language_targets(counts, alpha=0.5, total=10000)
    assert flat == {"en": 7500, "it": 2500}  # 3 : 1, the square roots of 9 : 1


def test_max_repeats_bounds_a_tiny_language() -> None:
    counts = {"en": 10000, "sw": 10}
    free = language_targets(counts, alpha=0.01, total=10000)
    assert free["sw"] > 4000
    bounded = language_targets(counts, alpha=0.01, total=10000, max_repeats=5)
    assert bounded == {"en": free["en"], "sw": 50}


def test_small_languages_are_repeated_large_ones_sampled_and_the_draw_is_stable() -> None:
    rows = frame({"en": 900, "it": 100})
    drawn = sample_languages(rows, alpha=0.5, total=1000, seed=13)
    per_language = drawn["language"].value_counts().to_dict()
    assert per_language == {"en": 750, "it": 250}
    it_copies = drawn.loc[drawn["language"] == "it", "text"].value_counts()
    assert set(it_copies) == {2, 3}  # every Italian row twice, half of them three times
    assert drawn["text"].is_unique is False
    assert not drawn.loc[drawn["language"] == "en", "text"].duplicated().any()
    again = sample_languages(rows.iloc[::-1], alpha=0.5, total=1000, seed=13)
    assert sorted(again["text"]) == sorted(sample_languages(rows, 0.5, 1000, 13)["text"])


def test_total_defaults_to_the_rows_there_are_and_missing_language_is_english() -> None:
    rows = frame({"en": 300, "de": 100})
    rows.loc[0, "language"] = None
    assert len(sample_languages(rows, alpha=0.7, total=None, seed=1)) == 400


def test_language_sampling_config_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("corpora: {olid: 1}\nlanguage_sampling: {alpha: 0.5, total: 1000}\n")
    assert load_config(path).language_sampling is not None
    path.write_text("corpora: {olid: 1}\nlanguage_sampling: {alpha: 0}\n")
    with pytest.raises(ValueError, match=r"alpha"):
        load_config(path)
    path.write_text("corpora: {olid: 1}\nlanguage_sampling: {alpha: 0.5, totl: 3}\n")
    with pytest.raises(ValueError, match=r"(?s)totl.*Extra inputs are not permitted"):
        load_config(path)
