"""A functional suite's labels as the served model gives them, while an operating point is chosen.

Serving decides each text by its detected language, so a suite's case whose text is detected as
another language (obfuscated spellings often come out `und`) takes that language's bars, not its
suite's. The choice scores a suite this way once a first operating point exists (training/
operating_point.py, `choose`), so the floors it keeps are the floors the gate then measures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rabat.model.operating_point import OperatingPoint, decide_rows

Decider = Callable[[float, float], np.ndarray]


def suite_decider(
    probs: np.ndarray,
    served: Sequence[str] | None,
    code: str,
    others: OperatingPoint | None,
) -> Decider:
    """(hateful bar, share bar) -> the labels of a suite in language `code`, decided at those bars;
    with `served` (each case's detected language) and `others`, a case served as another language
    takes that language's bars in `others`."""
    fixed: list[tuple[np.ndarray, np.ndarray]] = []
    if served is not None and others is not None:
        languages = np.asarray(served)
        for language in sorted(set(languages.tolist()) - {code}):
            rows = languages == language
            fixed.append((rows, decide_rows(probs[rows], *others.bars(language))))

    def decide(bar: float, share: float) -> np.ndarray:
        out = decide_rows(probs, bar, share)
        for rows, labels in fixed:
            out[rows] = labels
        return out

    return decide
