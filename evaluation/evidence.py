"""Evidence quality: do the evidence spans agree with people, and do they drive the label?

    python -m evaluation evidence --model models/rabat-minilm/latest

- Plausibility on HateXplain's official validation split (`hatexplain/val.csv`, never trained
  on): the posts whose majority label is hate speech or offensive, against the union of the
  annotators' rationale masks. Token-F1 of the top 5 words, IOU-F1 at 0.5, AUPRC of the word
  scores (evaluation/evidence_metrics.py).
- Faithfulness on the same posts (ERASER): comprehensiveness, the drop in the predicted label's
  probability when the top 5 words are deleted; sufficiency, the drop when only they are kept.
- SemEval-2021 Task 5 character F1 of the evidence as served (`rabat.model.evidence.EvidencePolicy`)
  on the trial file (development: the threshold is chosen there) and on the test file
  (reported, never tuned on). Both files are left out of training.

- The same plausibility and faithfulness on the model's own dev split: its rows with marked
  words (HateXplain train and Toxic Spans rows that training held out for dev). This is the
  figure to tune on.

`--methods head gradient` adds gradient x input (evaluation/evidence_baselines.py) as a
baseline on the same posts. Definitions and sources: docs/evidence.md. Writes
MODEL/eval/evidence.json.
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation import evidence_metrics as em
from evaluation.rationales import Post, dev_posts, hatexplain_posts, head_scores, per_token
from rabat.model.evidence import EvidencePolicy
from rabat.model.prediction import Prediction
from rabat.model.signal_policy import SignalPolicy, read_signal_policy
from rabat.store.files import write_text
from training.config import data_dir as default_data_dir

logger = logging.getLogger(__name__)


HATEXPLAIN_VAL = "hatexplain/val.csv"


TSD_FILES = {"trial": "toxic-spans/tsd_trial.csv", "test": "toxic-spans/tsd_test.csv"}


SWEEP = (0.3, 0.5, 0.7, 1.0)  # `EvidencePolicy.relative` values tried on the trial file


Predict = Callable[[list[str]], list[Prediction]]


# texts and their predictions -> per text, (start, end, score) for its words
WordScores = Callable[[list[str], list[Prediction]], list[list[tuple[int, int, float]]]]


def plausibility_and_faithfulness(
    posts: list[Post], predict: Predict, word_scores: WordScores
) -> dict[str, Any]:
    """Token-F1, IOU-F1, AUPRC, comprehensiveness and sufficiency over `posts`."""
    texts = [post.text for post in posts]
    full = predict(texts)
    scores = [per_token(p, w) for p, w in zip(posts, word_scores(texts, full), strict=True)]
    chosen = [em.top_k(s) for s in scores]
    removed = [
        " ".join(t for i, t in enumerate(p.tokens) if i not in set(c)) or "."
        for p, c in zip(posts, chosen, strict=True)
    ]
    kept = [" ".join(p.tokens[i] for i in c) for p, c in zip(posts, chosen, strict=True)]
    without, only = predict(removed), predict(kept)
    comp, suff = [], []
    for f, w, o in zip(full, without, only, strict=True):
        comp.append(f.scores[f.label] - w.scores[f.label])
        suff.append(f.scores[f.label] - o.scores[f.label])
    pairs = [em.iou_precision_recall(c, p.gold) for c, p in zip(chosen, posts, strict=True)]
    return {
        "posts": len(posts),
        "token_f1": _mean(em.token_f1(c, p.gold) for c, p in zip(chosen, posts, strict=True)),
        "iou_f1": round(em.mean_iou_f1(pairs), 4),
        "auprc": _mean(em.auprc(s, p.gold) for s, p in zip(scores, posts, strict=True)),
        "comprehensiveness": _mean(comp),
        "sufficiency": _mean(suff),
        "labels_predicted": dict(Counter(p.label for p in full)),
    }


def toxic_spans(
    frame: pd.DataFrame, predict: Predict, policy: EvidencePolicy, sweep: Sequence[float] = ()
) -> dict[str, Any]:
    """SemEval-2021 Task 5 character F1 of the served evidence on one file's rows (`text`,
    `spans`), and for each `relative` in `sweep` (1.0: the best word only)."""
    texts = [str(t) for t in frame["text"]]
    gold = [set(ast.literal_eval(s)) for s in frame["spans"]]
    preds = predict(texts)
    served = [
        {ch for span in policy.spans(t, p) for ch in range(span.start, span.end)}
        for t, p in zip(texts, preds, strict=True)
    ]
    out: dict[str, Any] = {
        "posts": len(texts),
        "char_f1": _mean(em.char_f1(s, g) for s, g in zip(served, gold, strict=True)),
        "policy": asdict(policy),
    }
    if sweep:
        out["relative_sweep"] = {
            str(r): toxic_spans(frame, lambda _: preds, replace(policy, relative=r))["char_f1"]
            for r in sweep
        }
    return out


def evaluate(
    model_dir: Path,
    data_dir: Path,
    backend: str = "auto",
    methods: Sequence[str] = ("head",),
    limit: int | None = None,
    toxic_spans_files: Sequence[str] = tuple(TSD_FILES),
) -> dict[str, Any]:
    """Every metric of the module docstring for the model in `model_dir` (Toxic Spans on the
    files named in `toxic_spans_files`, keys of TSD_FILES)."""
    predictor = _load(model_dir, backend)
    # the evidence as served: the model's own English policy where it carries one
    policy = (read_signal_policy(model_dir) or SignalPolicy()).evidence_for("en")
    posts = hatexplain_posts(data_dir / HATEXPLAIN_VAL)[:limit]
    result: dict[str, Any] = {
        "model_dir": str(model_dir),
        "model_version": predictor.version,
        "backend": backend,
        "hatexplain_val": {},
        "toxic_spans": {},
    }
    own = dev_posts(model_dir, limit)
    if own:
        result["dev"] = plausibility_and_faithfulness(own, predictor.predict, head_scores)
        logger.info("own dev split, head: %s", result["dev"])
    for method in methods:
        started = time.perf_counter()
        scores = head_scores if method == "head" else _gradient(model_dir)
        found = plausibility_and_faithfulness(posts, predictor.predict, scores)
        found["seconds"] = round(time.perf_counter() - started, 1)
        result["hatexplain_val"][method] = found
        logger.info("HateXplain val, %s: %s", method, found)
    for name in toxic_spans_files:
        file = TSD_FILES[name]
        rows = pd.read_csv(data_dir / file, keep_default_na=False).head(limit)
        result["toxic_spans"][name] = toxic_spans(
            rows, predictor.predict, policy, SWEEP if name == "trial" else ()
        )
        logger.info("toxic spans %s: %s", name, result["toxic_spans"][name])
    return result


def _gradient(model_dir: Path) -> WordScores:
    from evaluation.evidence_baselines import GradientTimesInput
    from rabat.model.loader import load_torch

    baseline = GradientTimesInput(load_torch(model_dir))
    return lambda texts, preds: baseline.word_scores(texts, [p.label for p in preds])


def _load(model_dir: Path, backend: str) -> Any:
    from rabat.model.loader import load_classifier

    return load_classifier(model_dir, backend)


def _mean(values: Any) -> float:
    found = list(values)
    return round(float(np.mean(found)), 4) if found else 0.0


PLAUSIBILITY_HEAD = [
    "method",
    "posts",
    "token-F1 (top 5)",
    "IOU-F1",
    "AUPRC",
    "comprehensiveness",
    "sufficiency",
]


SPANS_HEAD = ["Toxic Spans file", "posts", "character F1 (served evidence)"]


def table_rows(result: dict[str, Any]) -> list[tuple[list[str], list[list[str]]]]:
    """(header, rows) of the HateXplain and the Toxic Spans tables."""
    keys = ("token_f1", "iou_f1", "auprc", "comprehensiveness", "sufficiency")
    plausibility = [
        [method, str(m["posts"]), *(f"{m[k]:.3f}" for k in keys)]
        for method, m in result["hatexplain_val"].items()
    ]
    if result.get("dev"):
        m = result["dev"]
        plausibility.append(
            ["head, own dev split", str(m["posts"]), *(f"{m[k]:.3f}" for k in keys)]
        )
    spans = [
        [name, str(m["posts"]), f"{m['char_f1']:.3f}"] for name, m in result["toxic_spans"].items()
    ]
    return [(PLAUSIBILITY_HEAD, plausibility), (SPANS_HEAD, spans)]


def table(result: dict[str, Any]) -> list[str]:
    """The figures as Markdown lines."""
    lines: list[str] = []
    for head, rows in table_rows(result):
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation evidence", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", required=True, type=Path, help="a trained model directory")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="the corpora ($RABAT_DATA_DIR, ../shared/data)"
    )
    parser.add_argument("--backend", default="auto", choices=("auto", "torch", "onnx", "onnx-int8"))
    parser.add_argument(
        "--methods", nargs="+", default=["head"], choices=("head", "gradient"), help="evidence"
    )
    parser.add_argument("--limit", type=int, default=None, help="first N posts of each file")
    parser.add_argument(
        "--toxic-spans",
        nargs="+",
        default=list(TSD_FILES),
        choices=tuple(TSD_FILES),
        help="Toxic Spans files to score (trial alone while tuning: the test split judges)",
    )
    parser.add_argument("--out", type=Path, default=None, help="MODEL/eval/evidence.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    data_dir = args.data_dir or default_data_dir()
    for needed in (HATEXPLAIN_VAL, *(TSD_FILES[name] for name in args.toxic_spans)):
        if not (data_dir / needed).is_file():
            parser.error(f"{data_dir / needed} not found: pass --data-dir or set RABAT_DATA_DIR")
    result = evaluate(
        args.model, data_dir, args.backend, args.methods, args.limit, args.toxic_spans
    )
    out = args.out or args.model / "eval" / "evidence.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, json.dumps(result, indent=2) + "\n")
    print("\n".join(table(result)))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
