"""How well the auxiliary heads read the signals the Rabat factors use, on a labelled split.

    python -m evaluation signals --model models/rabat-minilm/latest [--split dev]

Scored only where the corpus annotated the signal (the same masks as in training): target
groups (micro and macro F1 at 0.5, on hateful rows with known targets), call to violence and
dehumanisation (ROC-AUC, and F1 at 0.5). Writes MODEL/eval/signals_<split>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, roc_auc_score

from rabat.labels import HATEFUL
from rabat.model.loader import load_torch
from rabat.model.torch_backend import Classifier
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS, UNKNOWN
from rabat.store.files import write_text


def evaluate_signals(classifier: Classifier, frame: pd.DataFrame) -> dict[str, Any]:
    """Signal metrics for the rows of a split written by training (`splits/*.jsonl`)."""
    preds = classifier.predict(frame["text"].tolist())
    known = frame["targets_known"].to_numpy(bool) & frame["label"].isin(HATEFUL).to_numpy()
    gold = np.array([[g in row for g in TARGET_GROUPS] for row in frame["targets"]], dtype=int)
    scores = np.array([[p.target_groups[g] for g in TARGET_GROUPS] for p in preds])
    out: dict[str, Any] = {
        "target_groups": {
            "rows": int(known.sum()),
            "micro_f1": _f1(gold[known], scores[known] >= 0.5, "micro"),
            "macro_f1": _f1(gold[known], scores[known] >= 0.5, "macro"),
        }
    }
    out["target_groups"]["proposal_bars"] = proposal_bars(gold[known], scores[known])
    for signal in BINARY_SIGNALS:
        y = frame[signal].to_numpy()
        mask = y != UNKNOWN
        p = np.array([getattr(pred, signal) for pred in preds])[mask]
        y = y[mask]
        out[signal] = {
            "rows": int(mask.sum()),
            "positives": int(y.sum()),
            "roc_auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None,
            "f1": float(f1_score(y, p >= 0.5, zero_division=0)),
        }
    return out


BARS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def proposal_bars(gold: np.ndarray, scores: np.ndarray) -> list[dict[str, Any]]:
    """For each bar: the precision of the target groups it would pre-tick for a reviewer, the
    share of true groups it finds, and how many rows get every group ticked (the proposal a
    reviewer cannot trust). The lowest bar with precision >= 0.8 is the one to propose at."""
    rows = []
    for bar in BARS:
        ticked = scores >= bar
        n = int(ticked.sum())
        rows.append(
            {
                "bar": bar,
                "ticked": n,
                "precision": float((ticked & (gold == 1)).sum() / n) if n else None,
                "recall": float((ticked & (gold == 1)).sum() / max(int(gold.sum()), 1)),
                "rows_all_ticked": int(ticked.all(axis=1).sum()),
            }
        )
    return rows


def _f1(gold: np.ndarray, predicted: np.ndarray, average: str) -> float | None:
    if not len(gold):
        return None
    return float(f1_score(gold, predicted.astype(int), average=average, zero_division=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation signals", description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    args = parser.parse_args(argv)
    split = args.model / "splits" / f"{args.split}.jsonl"
    if not split.is_file():
        parser.error(f"{split} not found: pass a model directory written by `make train`")
    result = evaluate_signals(load_torch(args.model), pd.read_json(split, lines=True))
    out = args.model / "eval" / f"signals_{args.split}.json"
    out.parent.mkdir(exist_ok=True)
    write_text(out, json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
