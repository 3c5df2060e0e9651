"""Rationale spans from the corpora: they land on the words annotators marked, in the text the
model reads (real files)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rabat.text.cleaning import clean, dedup_key
from training.corpora import load_corpus
from training.corpora.hatexplain import rationale_spans
from training.corpora.toxic_spans import majority_spans


def pairs(flat: list[int]) -> list[tuple[int, int]]:
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


@pytest.fixture(scope="module")
def toxic(data_dir: Path) -> pd.DataFrame:
    return load_corpus("toxic_spans", data_dir).to_pandas()


def test_toxic_spans_evidence_is_the_characters_most_raters_marked(data_dir: Path) -> None:
    ratings = pd.read_csv(
        data_dir / "toxic-spans/annotations.csv", dtype=str, keep_default_na=False
    )
    spans = pd.read_csv(data_dir / "toxic-spans/spans.csv", dtype=str, keep_default_na=False)
    ids = ratings["comment_id"].drop_duplicates().head(300)
    ratings = ratings[ratings["comment_id"].isin(ids)]
    raters = ratings.groupby("comment_id").size()
    found = majority_spans(spans[spans["annotation"].isin(ratings["annotation"])], ratings, raters)
    checked = 0
    for comment_id, flat in found.items():
        mine = {ch for a, b in pairs(flat) for ch in range(a, b)}
        marked = spans.merge(ratings[ratings["comment_id"] == comment_id], on="annotation")
        per_rater: dict[str, set[int]] = {}
        for worker, a, b in zip(marked["worker"], marked["start"], marked["end"], strict=True):
            if a.isdigit() and b.isdigit():
                per_rater.setdefault(worker, set()).update(range(int(a), int(b)))
        chars = set().union(*per_rater.values()) if per_rater else set()
        need = raters[comment_id] / 2
        expected = {c for c in chars if sum(c in s for s in per_rater.values()) > need}
        assert mine == expected
        checked += 1
    assert checked > 100


def test_toxic_spans_rows_carry_known_evidence_inside_their_text(toxic: pd.DataFrame) -> None:
    assert toxic["evidence_known"].all()
    marked = toxic[toxic["evidence"].map(len) > 0]
    assert len(marked) > 1000
    for text, flat in zip(marked["text"].head(500), marked["evidence"].head(500), strict=True):
        for a, b in pairs(list(flat)):
            assert 0 <= a < b <= len(text) and text[a:b].strip()
    assert (toxic.loc[toxic["label"] == "none", "evidence"].map(len) == 0).all()


def test_the_semeval_trial_and_test_texts_are_left_out(data_dir: Path, toxic: pd.DataFrame) -> None:
    trained = set(toxic["text"].map(dedup_key))
    for name in ("tsd_trial.csv", "tsd_test.csv"):
        held = pd.read_csv(data_dir / "toxic-spans" / name, keep_default_na=False)
        assert not trained & set(held["text"].map(dedup_key))


def test_hatexplain_rationales_mark_each_whole_word_occurrence() -> None:
    text = "aa bb aa bbc cc"
    assert rationale_spans(text, "aa;bb") == ((0, 2), (3, 5), (6, 8))
    assert rationale_spans(text, "bb aa") == ((3, 8),)
    assert rationale_spans(text, " ; ") is None


def test_hatexplain_rows_carry_the_marked_phrases(data_dir: Path) -> None:
    rows = load_corpus("hatexplain", data_dir).to_pandas()
    raw = pd.read_csv(data_dir / "hatexplain/train.csv", keep_default_na=False)
    phrases = {
        clean(t): [p.strip() for p in r.split(";") if p.strip()]
        for t, r in zip(raw["text"], raw["rationale_pos"], strict=True)
        if r
    }
    checked = 0
    for text, flat in zip(rows["text"], rows["evidence"], strict=True):
        if text in phrases and len(flat):
            # overlapping or touching phrases merge into one span: compare the words
            marked = {w for a, b in pairs(list(flat)) for w in text[a:b].split()}
            assert marked <= {w for p in phrases[text] for w in clean(p).split()}
            checked += 1
    assert checked > 3000
    assert (rows.loc[rows["label"] == "none", "evidence_known"]).all()
    unmarked = rows[(rows["label"] != "none") & ~rows["text"].isin(set(phrases))]
    assert not unmarked["evidence_known"].any()
