"""The augmenter: deterministic per seed, labels kept, contrastive rows are `none` reports."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from training.augment import (
    ARABIC_OBFUSCATIONS,
    FRAMES,
    OBFUSCATIONS,
    TATWEEL,
    contrastive_rows,
    obfuscate,
    obfuscate_rows,
    obfuscations_for,
)


def frame() -> pd.DataFrame:
    texts = [f"row {i}: the garden by the station was lovely today" for i in range(40)]
    labels = ["none", "offensive", "hate_speech", "incitement"] * 10
    return pd.DataFrame(
        {
            "text": texts,
            "label": labels,
            "source": "made",
            "targets": [[] for _ in texts],
            "targets_known": True,
            "call_to_violence": 0,
            "dehumanisation": 0,
            "weight": 1.0,
        }
    )


def test_obfuscation_is_deterministic_per_seed_and_keeps_labels() -> None:
    data = frame()
    first, again = obfuscate_rows(data, 0.5, seed=3), obfuscate_rows(data, 0.5, seed=3)
    other = obfuscate_rows(data, 0.5, seed=4)
    assert first.equals(again) and not first.equals(other)
    assert list(first["label"]) == list(data["label"])
    changed = first["text"] != data["text"]
    assert changed.sum() == 20
    assert first.loc[changed, "label"].value_counts().to_dict() == dict.fromkeys(
        ["none", "offensive", "hate_speech", "incitement"], 5
    )


@pytest.mark.parametrize("kind", [*OBFUSCATIONS, "emoji"])
def test_each_obfuscation_changes_a_word_and_leaves_mentions_and_links(kind: str) -> None:
    text = "@user the dogs at the market were lovely http"
    out = obfuscate(text, random.Random(0), kind)
    assert out != text
    assert out.startswith("@user ") and out.endswith(" http")


def test_accented_latin_words_are_disguised_whole() -> None:
    text = "une journée très agréable au marché"
    out = obfuscate(text, random.Random(0), "spaced")
    assert "j o u r n é e" in out or "a g r é a b l e" in out or "m a r c h é" in out


@pytest.mark.parametrize("kind", ARABIC_OBFUSCATIONS)
def test_arabic_words_are_disguised_with_the_arabic_kinds(kind: str) -> None:
    text = "@user الحديقة جميلة اليوم http"  # "the garden is lovely today"
    out = obfuscate(text, random.Random(1), kind)
    assert out != text and out.startswith("@user ") and out.endswith(" http")
    if kind == "elongated":
        assert TATWEEL * 3 in out


def test_arabic_text_is_never_drawn_leetspeak() -> None:
    text = "الحديقة جميلة اليوم"
    assert obfuscations_for(text) is ARABIC_OBFUSCATIONS
    assert obfuscations_for("the garden") is OBFUSCATIONS
    outs = [obfuscate(text, random.Random(seed)) for seed in range(60)]
    assert not any(ch.isdigit() or ch == "*" for out in outs for ch in out)
    assert any(TATWEEL in out for out in outs)


def test_scripts_written_without_spaces_are_left_alone() -> None:
    text = "今天公园里的花很漂亮"  # "the flowers in the park are lovely today"
    assert all(obfuscate(text, random.Random(seed), "spaced") == text for seed in range(5))


def test_contrastive_rows_frame_hateful_rows_as_none() -> None:
    data = frame()
    made = contrastive_rows(data, 12, seed=5)
    assert len(made) == 12 and set(made["label"]) == {"none"}
    assert set(made["source"]) == {"contrastive"}
    assert (made["call_to_violence"] == 0).all() and made["targets"].map(len).sum() == 0
    hateful = set(data.loc[data["label"].isin(["hate_speech", "incitement"]), "text"])
    prefixes = [frame.split("{text}")[0] for frame in FRAMES]
    for text in made["text"]:
        assert any(text.startswith(p) for p in prefixes)
        assert any(h in text for h in hateful)
    assert made.equals(contrastive_rows(data, 12, seed=5))


def test_a_corpus_none_rows_are_copied_and_nothing_else() -> None:
    import pandas as pd

    from training.augment import corpus_none_copies

    frame = pd.DataFrame(
        {
            "text": ["a", "b", "c", "d"],
            "label": ["none", "hate_speech", "none", "none"],
            "source": ["hatemoji", "hatemoji", "olid", "hatemoji"],
        }
    )
    made = corpus_none_copies(frame, {"hatemoji": 2, "olid": 0})
    assert sorted(made["text"]) == ["a", "a", "d", "d"]
    assert corpus_none_copies(frame, {}).empty
