"""The evidence metrics against hand-computed cases: a perfect, an empty and a half-right
explanation."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation import evidence_metrics as em

GOLD = [0, 1, 1, 0, 0, 0, 1, 0]  # runs: words 1-2 and word 6


def test_top_k_takes_the_highest_scores_in_text_order_earlier_word_on_ties() -> None:
    assert em.top_k([0.1, 0.9, 0.5, 0.5, 0.2], k=2) == [1, 2]


def test_a_perfect_explanation() -> None:
    chosen = [1, 2, 6]
    assert em.token_f1(chosen, GOLD) == 1.0
    assert em.auprc([0.0, 0.9, 0.8, 0.1, 0.1, 0.2, 0.7, 0.0], GOLD) == pytest.approx(1.0)
    # single-word predicted spans: word 6 matches its run exactly; words 1 and 2 each cover
    # half of the run 1-2 (IOU 0.5, a match)
    assert em.iou_precision_recall(chosen, GOLD) == (1.0, 1.0)


def test_an_empty_explanation() -> None:
    assert em.token_f1([], GOLD) == 0.0
    assert em.iou_precision_recall([], GOLD) == (0.0, 0.0)
    assert em.char_f1(set(), {1, 2}) == 0.0
    assert em.char_f1(set(), set()) == 1.0  # SemEval: nothing toxic, nothing predicted
    assert em.char_f1({3}, set()) == 0.0


def test_a_half_right_explanation() -> None:
    chosen = [1, 3]  # one right word, one wrong
    assert em.token_f1(chosen, GOLD) == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    precision, recall = em.iou_precision_recall(chosen, GOLD)
    assert (precision, recall) == (0.5, 0.5)  # word 1 matches run 1-2; run 6 is missed
    assert em.char_f1({1, 2, 3, 4}, {3, 4, 5, 6}) == 0.5


def test_macro_iou_f1_averages_precision_and_recall_before_the_f1() -> None:
    assert em.mean_iou_f1([(1.0, 0.0), (0.0, 1.0)]) == pytest.approx(0.5)
    assert em.mean_iou_f1([]) == 0.0


def test_auprc_of_a_ranking_that_puts_a_wrong_word_first() -> None:
    # ranks: wrong (0.9), right (0.8), ...: (recall, precision) is (0, 0) at the first
    # threshold and (1, 0.5) at the second, plus scikit-learn's (0, 1) end point; the
    # trapezoid from (0, 0) to (1, 0.5) is 0.25 (a perfect ranking: 1)
    assert em.auprc([0.9, 0.8, 0.1, 0.0], [0, 1, 0, 0]) == pytest.approx(0.25)
    assert em.auprc([0.8, 0.9, 0.1, 0.0], [0, 1, 0, 0]) == pytest.approx(1.0)


def test_the_own_dev_split_gives_posts_with_gold_words(tmp_path: Path) -> None:
    import json

    from evaluation.rationales import dev_posts

    rows = [
        {
            "text": "you are a placeholder",
            "label": "offensive",
            "evidence": [10, 21],
            "evidence_known": True,
        },
        {"text": "calm words", "label": "none", "evidence": [], "evidence_known": True},
        {"text": "nobody marked", "label": "offensive", "evidence": [], "evidence_known": False},
    ]
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "dev.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (post,) = dev_posts(tmp_path)
    assert post.tokens == ["you", "are", "a", "placeholder"] and post.gold == [0, 0, 0, 1]
