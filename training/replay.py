"""Replay for retraining: a run that continues from a trained model (the release) learns the
reviewed rows beside a sample of the corpora's training rows, so that it does not forget what
the model knew and still takes minutes (`replay_rows` in the config)."""

from __future__ import annotations

import pandas as pd

from training.reviewed import SOURCE as REVIEW


def replay(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """Every reviewed row, and `rows` of the others drawn with the same share from every
    language and label (each stratum keeps at least one row); order as in `frame`."""
    reviewed = frame["source"] == REVIEW
    corpora = frame[~reviewed]
    if len(corpora) <= rows:
        return frame
    share = rows / len(corpora)
    strata = corpora["language"].fillna("") + "/" + corpora["label"]
    kept = [
        part.sample(n=max(1, round(len(part) * share)), random_state=seed)
        for _, part in corpora.groupby(strata, sort=True)
    ]
    return pd.concat([frame[reviewed], *kept]).sort_index()
