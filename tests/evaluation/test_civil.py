"""The drop-in attributes against Civil Comments' raters: what counts as a type, and the figures."""

from __future__ import annotations

import pytest

from evaluation.civil import measure


def test_a_type_counts_from_one_and_from_two_raters() -> None:
    rows = [
        {"insult": 2, "threat": 0, "identity": 0},
        {"insult": 1, "threat": 1, "identity": 0},
        {"insult": 0, "threat": 0, "identity": 3},
        {"insult": 0, "threat": 0, "identity": 0},
    ]
    scores = [
        {"INSULT": 0.9, "THREAT": 0.1, "IDENTITY_ATTACK": 0.2},
        {"INSULT": 0.6, "THREAT": 0.7, "IDENTITY_ATTACK": 0.1},
        {"INSULT": 0.2, "THREAT": 0.0, "IDENTITY_ATTACK": 0.8},
        {"INSULT": 0.1, "THREAT": 0.2, "IDENTITY_ATTACK": 0.3},
    ]
    found = measure(rows, scores)
    assert found["comments"] == 4
    assert found["INSULT/1"]["positives"] == 2 and found["INSULT/1"]["roc_auc"] == 1.0
    assert found["INSULT/2"]["positives"] == 1 and found["INSULT/2"]["mean_with"] == 0.9
    assert found["THREAT/1"]["roc_auc"] == 1.0 and found["THREAT/2"]["roc_auc"] is None
    assert found["IDENTITY_ATTACK/2"]["mean_without"] == pytest.approx(0.2)  # (0.2 + 0.1 + 0.3) / 3
