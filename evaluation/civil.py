"""`python -m evaluation civil --model DIR`: the drop-in attributes against Civil Comments'
own raters.

Toxic Spans (docs/corpora.md) keeps each rater's spans with a type: Insult, Threat, Identity
based Attack, Profane/Obscene, Other Toxicity. On the model's dev rows that come from it (never
a training row; the SemEval test and trial files are left out by the recipe), a comment has a
type when at least one of its raters marked a span of it (and, the second figure, at least two).
Nearly every such comment was rated toxic, so this asks more than dev does: among toxic comments,
does INSULT rank the insults first, THREAT the threats, IDENTITY_ATTACK the identity attacks?
The recipe derived the dev labels from the same types (Identity -> hate_speech, Threat -> a call
to violence), so this is a view of the attributes, not an independent test of the labels.

Prints a table and writes MODEL/eval/civil_attributes.json (`make measured` shows it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from rabat.assessment.analysis import Analyzer
from rabat.defaults import DEFAULT_MODEL_DIR
from rabat.model.loader import AUTO
from rabat.store.files import write_text
from rabat.text.cleaning import dedup_key
from training.config import data_dir
from training.corpora.toxic_spans import comments

TYPES = {"INSULT": "insult", "THREAT": "threat", "IDENTITY_ATTACK": "identity"}
POLICY = Path(__file__).resolve().parents[1] / "configs" / "rabat.yaml"


def dev_comments(model_dir: Path, corpora: Path) -> list[dict[str, Any]]:
    """Toxic Spans comments whose text is in the model's dev split, with their type counts."""
    with (model_dir / "splits" / "dev.jsonl").open(encoding="utf-8") as lines:
        dev = {
            dedup_key(row["text"])
            for row in map(json.loads, lines)
            if row["source"] == "toxic_spans"
        }
    found = comments(corpora)
    found = found[found["comment_text"].map(dedup_key).isin(dev)]
    return [
        {"text": row["comment_text"], **{kind: int(row[kind]) for kind in TYPES.values()}}
        for row in found.to_dict("records")
    ]


def measure(rows: list[dict[str, Any]], scores: list[dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {"comments": len(rows)}
    for name, kind in TYPES.items():
        values = np.array([s[name] for s in scores])
        for raters in (1, 2):
            y = np.array([row[kind] >= raters for row in rows])
            both = 0 < y.sum() < len(y)
            out[f"{name}/{raters}"] = {
                "positives": int(y.sum()),
                "roc_auc": round(float(roc_auc_score(y, values)), 4) if both else None,
                "mean_with": round(float(values[y].mean()), 4) if y.any() else None,
                "mean_without": round(float(values[~y].mean()), 4) if (~y).any() else None,
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation civil", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--backend", default=AUTO)
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="the corpora (default: $RABAT_DATA_DIR)"
    )
    args = parser.parse_args(argv)
    rows = dev_comments(args.model, args.data_dir or data_dir())
    if not rows:
        print(f"no Toxic Spans comment in {args.model}/splits/dev.jsonl: nothing to measure")
        return 1
    analyzer = Analyzer.load(args.model, POLICY, backend=args.backend)
    analyses = analyzer.analyze([row["text"] for row in rows], [None] * len(rows))
    result = measure(rows, [a.attributes for a in analyses])
    result["calibrated"] = analyzer.attributes_calibrated
    out = args.model / "eval" / "civil_attributes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, json.dumps(result, indent=2) + "\n")
    print(f"{len(rows)} Toxic Spans comments of the dev split")
    for key, r in result.items():
        if isinstance(r, dict):
            means = f"mean score with {r['mean_with']} / without {r['mean_without']}"
            print(f"{key:18s} positives {r['positives']:4d}  ROC-AUC {r['roc_auc']}  {means}")
    print(out)
    return 0
