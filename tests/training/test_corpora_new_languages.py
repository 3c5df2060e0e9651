"""The Arabic, Spanish and Italian recipes of issue 28 on the real files: each label count
checked against the data README's numbers after the recipe's drops, and no test split read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from training.corpora import RECIPES, load_corpus
from training.corpora.base import has_words
from training.corpora.osact2020_ar import normalise


@pytest.mark.parametrize(
    ("name", "language", "commercial"),
    [
        ("osact2020_ar", "ar", True),
        ("mpold", "ar", True),
        ("hateval2019_es", "es", False),
        ("haspeede2", "it", False),
    ],
)
def test_each_new_corpus_says_its_language_and_licence(
    name: str, language: str, commercial: bool, data_dir: Path
) -> None:
    assert RECIPES[name].language == language
    assert RECIPES[name].commercial is commercial
    assert not any("test" in Path(file).name for file in RECIPES[name].files)
    assert set(load_corpus(name, data_dir)["language"]) == {language}


def test_osact_hate_offence_and_the_retweet_marker(data_dir: Path) -> None:
    rows = load_corpus("osact2020_ar", data_dir).to_pandas()
    # README: HS 361 + 44, OFF 1,410 + 179 (train + dev); every HS row is OFF; no row is empty
    assert Counter(rows["label"]) == {"hate_speech": 405, "offensive": 1589 - 405, "none": 6411}
    assert not rows["text"].str.startswith("RT").any()
    assert not rows["text"].str.contains("<LF>").any()
    assert normalise("RT @USER: a<LF>b") == "a\nb"
    hate = rows[rows["label"] == "hate_speech"]
    assert not hate["targets_known"].any()  # which group is not in the file
    assert (hate["call_to_violence"] == 0).all()


def test_mpold_drops_the_marked_errors_and_subtypes_hate(data_dir: Path) -> None:
    raw = pd.read_csv(
        data_dir / "mpold/Arabic_offensive_comment_detection_annotation_4000_selected.csv",
        dtype=str,
        keep_default_na=False,
    )
    kept = raw[raw["expert_marked_error"].str.strip() != "1"]
    assert len(kept) == 3970  # README: 30 marked rows
    subtype = kept["Vulgar:V/HateSpeech:HS/None:-"].str.strip()
    offensive = kept["Majority_Label"] == "Offensive"
    counts = Counter(load_corpus("mpold", data_dir)["label"])
    assert counts["hate_speech"] == int((offensive & (subtype == "HS")).sum()) == 180
    assert counts["offensive"] == int((offensive & (subtype != "HS")).sum())
    assert counts["none"] == int((~offensive).sum()) == 3325 - 29


def test_hateval_group_hate_is_hate_and_individual_abuse_is_offensive(data_dir: Path) -> None:
    counts = Counter(load_corpus("hateval2019_es", data_dir)["label"])
    # README, train + dev: HS 1,857 + 222; to one individual 1,053 + 127 + 76 + 10;
    # to a group 449 + 49 + 279 + 36
    assert counts == {"none": 2643 + 278, "offensive": 1266, "hate_speech": 813}


def test_haspeede_stereotype_only_rows_are_hard_negatives(data_dir: Path) -> None:
    rows = load_corpus("haspeede2", data_dir).to_pandas()
    # README: hs 1 2,766, 0 4,073 (1,024 of them stereotype only)
    assert Counter(rows["label"]) == {"hate_speech": 2766, "none": 4073}
    assert not rows["text"].str.endswith(" ").any()


def test_a_row_of_only_links_mentions_and_punctuation_has_no_words() -> None:
    assert not has_words("@USER: URL !!")
    assert not has_words("@User.IDX https://t.co/x ...")
    assert has_words("@user ciao URL")
