"""The per-language shift of the hateful labels' scores (rabat.model.language_shift): pure logic on
synthetic predictions; the real multilingual model's shifts are measured in docs/multilingual.md."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from rabat.labels import LABELS
from rabat.model import language_shift
from rabat.model.meta import META_FILE, ModelMeta
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS
from tests.rabat.predictions import signals

META = ModelMeta("m-1", LABELS, TARGET_GROUPS, BINARY_SIGNALS, 64, "base")
SHIFTED = replace(META, language_shift={"de": 1.0, "en": 0.0}, language_shift_other=0.5)


def test_a_shift_raises_the_hateful_labels_and_can_change_the_label() -> None:
    before = signals("none", 0.4)  # none 0.4, the other three 0.2 each
    after = language_shift.shifted(before, 1.0)
    assert math.isclose(sum(after.scores.values()), 1.0)
    ratio = after.scores["hate_speech"] / after.scores["offensive"]
    assert math.isclose(ratio, math.e * before.scores["hate_speech"] / before.scores["offensive"])
    assert after.label == "hate_speech" and before.label == "none"
    assert language_shift.shifted(before, 0.0) is before


def test_each_text_gets_its_languages_shift_and_und_none() -> None:
    preds = [signals("none", 0.4) for _ in range(4)]
    out = language_shift.apply(SHIFTED, ["a", "b", "c", "d"], preds, ["de", "en", "es", "und"])
    assert [p.label for p in out] == ["hate_speech", "none", "none", "none"]
    assert out[1] is preds[1] and out[3] is preds[3]  # en 0.0; und: none
    hate = [p.scores["hate_speech"] for p in out]
    assert hate[0] > hate[2] > hate[1]  # de 1.0 > es, by the others' 0.5 > en


def test_without_shifts_predictions_pass_unchanged() -> None:
    preds = [signals("none", 0.4)]
    assert language_shift.apply(META, ["text"], preds) is preds


def test_languages_must_align_with_texts() -> None:
    with pytest.raises(ValueError, match="got 1 languages for 2 texts"):
        language_shift.apply(SHIFTED, ["a", "b"], [signals("none", 0.4)] * 2, ["de"])


def test_without_languages_they_are_detected() -> None:
    german = "Wir sind heute Morgen mit den Kindern auf den Markt gegangen und haben Obst gekauft."
    out = language_shift.apply(SHIFTED, [german], [signals("none", 0.4)])
    assert out[0].label == "hate_speech"


def test_the_shifts_are_saved_with_the_model_and_old_models_have_none(tmp_path: Path) -> None:
    SHIFTED.write(tmp_path)
    assert ModelMeta.read(tmp_path) == SHIFTED
    raw = json.loads((tmp_path / META_FILE).read_text())
    del raw["language_shift"], raw["language_shift_other"]
    (tmp_path / META_FILE).write_text(json.dumps(raw))
    assert ModelMeta.read(tmp_path) == META
