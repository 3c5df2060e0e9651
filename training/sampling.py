"""Language balance by temperature sampling (Conneau et al. 2020, XLM-R; Xue et al. 2021, mT5):
language l gets a share of the training rows proportional to n_l ** alpha, so alpha 1 keeps the
natural shares and a lower alpha up-samples the small languages by repetition and down-samples
the large ones, instead of capping English alone. Only the training split is re-drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.corpora import DEFAULT_LANGUAGE


def language_targets(
    counts: dict[str, int], alpha: float, total: int, max_repeats: float = float("inf")
) -> dict[str, int]:
    """Rows to draw per language: `total` split by n ** alpha, at most `max_repeats` * n each
    (a language held back by `max_repeats` does not hand its rows on: the total shrinks).

    >>> language_targets({"en": 900, "it": 100}, alpha=0.5, total=1000)
    {'en': 750, 'it': 250}
    """
    weights = {language: n**alpha for language, n in counts.items() if n > 0}
    scale = sum(weights.values())
    targets = {lang: round(total * w / scale) for lang, w in weights.items()}
    return {lang: int(min(n, max_repeats * counts[lang])) for lang, n in targets.items()}


def sample_languages(
    frame: pd.DataFrame,
    alpha: float,
    total: int | None,
    seed: int,
    max_repeats: float = float("inf"),
) -> pd.DataFrame:
    """The training rows re-drawn per language (`language_targets`), deterministic in `seed`.

    A language drawn below its size is sampled without replacement; above it, every row is kept
    `k` times and the remainder sampled, so no row is repeated more than once more than another.
    """
    language = frame["language"].fillna(DEFAULT_LANGUAGE).replace("", DEFAULT_LANGUAGE)
    counts = {str(lang): int(n) for lang, n in language.value_counts().items()}
    targets = language_targets(counts, alpha, total or len(frame), max_repeats)
    parts = [frame.iloc[:0]]
    for lang, rows in frame.groupby(language, sort=True):
        parts.append(_draw(rows, targets[str(lang)], seed))
    return pd.concat(parts).sort_values("key", kind="stable").reset_index(drop=True)


def _draw(rows: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    rows = rows.sort_values("key", kind="stable")  # the same rows draw the same, in any order
    whole, rest = divmod(n, len(rows))
    rng = np.random.default_rng(seed)
    extra = rows.iloc[np.sort(rng.choice(len(rows), size=rest, replace=False))]
    return pd.concat([rows] * whole + [extra])
