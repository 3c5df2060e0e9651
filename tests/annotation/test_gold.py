"""Gold tasks: per-reviewer accuracy against a hand computation, the flag, weighted votes, and
gold labels checked when the pool is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotation.gold import check_gold, gold_accuracy, vote_weights
from annotation.pool import PoolFile, read_pool
from rabat.review.reviews import Review, resolve


def review(who: str, label: str | None, when: str = "2026-12-01T10:00") -> Review:
    factors = dict.fromkeys(
        ("context", "speaker", "intent", "content_form", "extent", "likelihood_imminence")
    )
    return Review(1, who, label, factors, [], [], "", when, when)


def test_accuracy_per_reviewer_matches_a_hand_computation() -> None:
    tasks = [
        ("incitement", [review("ana", "incitement"), review("bo", "hate_speech")]),
        ("none", [review("ana", "none"), review("bo", "none"), review("cy", "offensive")]),
        ("none", [review("ana", "offensive"), review("bo", "none")]),
        # ana changed her mind: the later answer counts
        ("hate_speech", [review("ana", "none", "t1"), review("ana", "hate_speech", "t2")]),
        (None, [review("ana", "none"), review("bo", "none")]),  # not a gold task
        ("offensive", [review("cy", None)]),  # no label given: not counted
    ]
    found = gold_accuracy(tasks, bar=0.7, min_tasks=3)
    assert found["gold_tasks"] == 5
    ana, bo, cy = (found["annotators"][who] for who in ("ana", "bo", "cy"))
    assert (ana["gold_tasks"], ana["correct"], ana["accuracy"]) == (4, 3, 0.75)
    assert (bo["gold_tasks"], bo["correct"]) == (3, 2) and bo["accuracy"] == pytest.approx(
        2 / 3, abs=1e-4
    )
    assert (cy["gold_tasks"], cy["correct"]) == (1, 0)
    assert not ana["flagged"] and bo["flagged"]  # 0.667 < 0.7 on 3 tasks
    assert not cy["judged"] and not cy["flagged"]  # one gold task is too few to judge
    assert vote_weights(found) == {"ana": 0.75, "bo": pytest.approx(2 / 3, abs=1e-4)}


def test_weighted_votes_let_the_reliable_reviewer_break_a_tie() -> None:
    reviews = [review("ana", "hate_speech"), review("bo", "none")]
    assert resolve(1, "text", reviews).label is None  # a tie
    weighted = resolve(1, "text", reviews, {"ana": 0.9, "bo": 0.4})
    assert weighted.label == "hate_speech" and weighted.label_votes == {"hate_speech": 1, "none": 1}
    assert resolve(1, "text", reviews, {"ana": 0.5, "bo": 0.5}).label is None


def test_a_gold_label_outside_the_labels_is_refused_with_the_row(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"gold_label is 'hateful', expected one of \['none'"):
        check_gold("hateful", "pool.csv, line 3")
    pool = tmp_path / "pool.csv"
    pool.write_text("text,gold_label\nfirst text,none\nsecond text,hateful\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"pool\.csv, line 3: gold_label is 'hateful'"):
        list(read_pool(PoolFile(pool)))
    pool.write_text("text,gold_label\nfirst text,none\nsecond text,\n", encoding="utf-8")
    items = list(read_pool(PoolFile(pool)))
    assert [i.extra.get("gold_label") for i in items] == ["none", None]
