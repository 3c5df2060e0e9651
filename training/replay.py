"""Replay for retraining: a run that continues from a trained model (the release) learns the
reviewed rows beside a sample of the corpora's training rows, so that it does not forget what
the model knew and still takes minutes (`replay_rows` in the config)."""

from __future__ import annotations

import pandas as pd

from training.reviewed import SOURCE as REVIEW


def replay(frame: pd.DataFrame, rows: int, seed: int, english_only: bool = False) -> pd.DataFrame:
    """Every reviewed row, and `rows` of the others drawn with the same share from every
    language and label (each stratum keeps at least one row); order as in `frame`.
    `english_only` (dev and test): every non-English row is kept too and only English rows are
    sampled, so that each language keeps the rows its shift is chosen on."""
    kept_whole = frame["source"] == REVIEW
    if english_only:
        kept_whole |= frame["language"].fillna("en") != "en"
    sampled = frame[~kept_whole]
    if len(sampled) <= rows:
        return frame
    share = rows / len(sampled)
    strata = sampled["language"].fillna("") + "/" + sampled["label"]
    kept = [
        part.sample(n=max(1, round(len(part) * share)), random_state=seed)
        for _, part in sampled.groupby(strata, sort=True)
    ]
    return pd.concat([frame[kept_whole], *kept]).sort_index()
