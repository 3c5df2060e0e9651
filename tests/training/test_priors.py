"""Choosing the per-language shift of the hateful labels on dev (training/priors.py)."""

from __future__ import annotations

import numpy as np

from rabat.labels import LABELS
from training.priors import SHIFTS, apply_language_shifts, choose_language_shifts, shift_hateful

NONE, HATE = LABELS.index("none"), LABELS.index("hate_speech")


def rows(n: int, hateful: int, hate_p: float) -> tuple[np.ndarray, list[str]]:
    """`n` rows, the first `hateful` of them hate speech; the model gives every row
    p(hate_speech) = `hate_p` and the rest to none."""
    probs = np.full((n, len(LABELS)), 1e-3)
    probs[:, HATE] = hate_p
    probs[:, NONE] = 1 - hate_p - 2e-3
    return probs, ["hate_speech"] * hateful + ["none"] * (n - hateful)


def test_a_language_whose_hate_is_under_scored_gets_a_positive_shift() -> None:
    # German: hateful rows at p 0.3 (called none), others at 0.05; English already separated
    de_hate, de_gold = rows(100, 100, 0.3)
    de_none, none_gold = rows(200, 0, 0.05)
    en_probs = np.vstack([rows(150, 150, 0.8)[0], rows(150, 0, 0.05)[0]])
    en_gold = ["hate_speech"] * 150 + ["none"] * 150
    probs = np.vstack([de_hate, de_none, en_probs])
    gold = de_gold + none_gold + en_gold
    languages = ["de"] * 300 + ["en"] * 300
    chosen = choose_language_shifts(probs, gold, languages)
    assert chosen.shifts["en"] == 0.0  # ties go to the smaller shift
    assert chosen.languages["en"]["dev_macro_f1_after"] == 1.0
    assert chosen.shifts["de"] > 0.0 and chosen.shifts["de"] in SHIFTS
    de = chosen.languages["de"]
    assert de["dev_macro_f1_after"] == 1.0 and de["dev_macro_f1_before"] < 1.0  # type: ignore[operator]
    assert chosen.other == float(np.median([chosen.shifts["de"], 0.0]))
    shifted = apply_language_shifts(probs, languages, chosen)
    assert (shifted[:100].argmax(axis=1) == HATE).all() and (
        shifted[100:300].argmax(axis=1) == NONE
    ).all()


def test_languages_without_enough_rows_or_hateful_rows_take_the_others_shift() -> None:
    probs = np.vstack([rows(100, 100, 0.3)[0], rows(500, 0, 0.05)[0]])
    languages = ["de"] * 300 + ["pl"] * 250 + ["it"] * 50
    gold = ["hate_speech"] * 100 + ["none"] * 450 + ["hate_speech"] * 50
    chosen = choose_language_shifts(probs, gold, languages)
    assert set(chosen.shifts) == {"de"}
    assert chosen.languages["pl"]["shift"] == chosen.languages["it"]["shift"] == "other"
    assert chosen.other == chosen.shifts["de"]
    out = apply_language_shifts(probs[[0, 0]], ["es", "und"], chosen)
    assert np.allclose(out[1], probs[1]) and out[0][HATE] > probs[0][HATE]


def test_the_language_of_most_dev_rows_keeps_the_prior_corrections_scores() -> None:
    # English: 400 of 700 rows, its hateful rows under-scored as German's are; a shift would
    # raise its dev macro-F1, but the prior correction was chosen on these rows already
    probs = np.vstack([rows(100, 100, 0.3)[0], rows(200, 0, 0.05)[0]] * 2 + [rows(100, 0, 0.05)[0]])
    gold = (["hate_speech"] * 100 + ["none"] * 200) * 2 + ["none"] * 100
    languages = ["de"] * 300 + ["en"] * 400
    chosen = choose_language_shifts(probs, gold, languages)
    assert chosen.shifts["en"] == 0.0 and chosen.languages["en"]["chosen_by"] == "the prior"
    assert chosen.shifts["de"] > 0.0
    assert chosen.other == chosen.shifts["de"]  # the median leaves the reference language out
    assert np.allclose(apply_language_shifts(probs[300:], languages[300:], chosen), probs[300:])


def test_one_language_gets_no_shift() -> None:
    probs, gold = rows(300, 100, 0.3)
    chosen = choose_language_shifts(probs, gold, ["en"] * 300)
    assert chosen.shifts == {} and chosen.other == 0.0


def test_shift_hateful_moves_both_hateful_labels_per_row() -> None:
    probs = np.full((2, len(LABELS)), 0.25)
    out = shift_hateful(probs, np.array([0.0, np.log(3.0)]))
    assert np.allclose(out[0], 0.25)
    assert np.allclose(out[1], [1 / 8, 1 / 8, 3 / 8, 3 / 8])
