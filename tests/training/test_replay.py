"""Replay sampling for a retraining run: reviewed rows all kept, the rest sampled with the same
share per language and label; dev and test keep every non-English row."""

from __future__ import annotations

import pandas as pd

from training.replay import replay
from training.reviewed import SOURCE as REVIEW


def frame() -> pd.DataFrame:
    rows = [("review", "en", "none")] * 10
    rows += [("olid", "en", "none")] * 600 + [("olid", "en", "hate_speech")] * 200
    rows += [("cold", "zh", "none")] * 150 + [("cold", "zh", "offensive")] * 50
    return pd.DataFrame(
        [{"text": f"t{i}", "source": s, "language": lang, "label": lab}
         for i, (s, lang, lab) in enumerate(rows)]
    )  # fmt: skip


def test_every_reviewed_row_stays_and_the_rest_keep_their_shares() -> None:
    found = replay(frame(), rows=100, seed=1)
    assert (found["source"] == REVIEW).sum() == 10
    rest = found[found["source"] != REVIEW]
    counts = rest.groupby(["language", "label"]).size().to_dict()
    assert counts == {("en", "hate_speech"): 20, ("en", "none"): 60, ("zh", "none"): 15,
                      ("zh", "offensive"): 5}  # fmt: skip
    assert list(found.index) == sorted(found.index)


def test_dev_and_test_keep_every_non_english_row() -> None:
    found = replay(frame(), rows=80, seed=1, english_only=True)
    assert (found["language"] == "zh").sum() == 200
    assert ((found["language"] == "en") & (found["source"] != REVIEW)).sum() == 80


def test_fewer_rows_than_asked_are_kept_whole() -> None:
    assert len(replay(frame(), rows=10_000, seed=1)) == len(frame())
