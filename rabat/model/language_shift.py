"""A per-language shift of the hateful labels' scores, chosen in training on dev rows per language.

A multilingual model learns each language's label mix from that language's corpora, and the one
prior correction folded into its head (training/priors.py) is chosen on a dev split that is mostly
English. Measured on the multilingual model's own dev split, that left non-English text short of
hateful labels (docs/multilingual.md). So training also chooses, per language, a shift added to the
log-probabilities of the hateful labels (`ModelMeta.language_shift`), and one for every language
without enough dev rows of its own, or never trained on (`language_shift_other`).

Prediction applies the shift of each text's language: the one the caller detected, else detected
here. A text whose language cannot be told (`und`) keeps the head's own scores, and so does every
text of a model without shifts (every English-only model).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from rabat.labels import HATEFUL, LABELS
from rabat.model.meta import ModelMeta
from rabat.model.prediction import Prediction
from rabat.text.language import UNDETERMINED, detect_batch


def shift_for(shifts: Mapping[str, float], other: float, language: str) -> float:
    """The shift for a text in `language` (an ISO 639 code): `shifts[language]`, `other` for a
    language not in it, none for `und`."""
    if language == UNDETERMINED:
        return 0.0
    return shifts.get(language, other)


def shifted(prediction: Prediction, shift: float) -> Prediction:
    """`prediction` with `shift` added to its hateful labels' log-probabilities, renormalised,
    and its label chosen again."""
    if shift == 0.0:
        return prediction
    weights = {
        label: prediction.scores[label] * (math.exp(shift) if label in HATEFUL else 1.0)
        for label in LABELS
    }
    total = sum(weights.values())
    scores = {label: weight / total for label, weight in weights.items()}
    return replace(prediction, label=max(LABELS, key=scores.__getitem__), scores=scores)


def apply(
    meta: ModelMeta,
    texts: Sequence[str],
    predictions: list[Prediction],
    languages: Sequence[str] | None = None,
) -> list[Prediction]:
    """Each prediction shifted for its text's language (`languages`, else detected)."""
    if not meta.language_shift and meta.language_shift_other == 0.0:
        return predictions
    codes = [found.code for found in detect_batch(texts)] if languages is None else languages
    if len(codes) != len(predictions):
        raise ValueError(f"got {len(codes)} languages for {len(predictions)} texts: pass one each")
    table, other = meta.language_shift, meta.language_shift_other
    pairs = zip(predictions, codes, strict=True)
    return [shifted(p, shift_for(table, other, code)) for p, code in pairs]
