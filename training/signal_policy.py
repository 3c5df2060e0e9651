"""Fit a model's signal policy (rabat.model.signal_policy) on its own dev rows, as served.

    python -m training.signal_policy --model models/rabat-release/VERSION [--splits DIR] \
        [--backend auto] [--policy configs/rabat.yaml]

Scores the dev split of `--splits` (default: the model's own `splits/dev.jsonl`) with the model
as it is served, fits the evidence policy per language on the rows with rationales and the bar of
every target group on the rows with known targets (training/signal_fits.py), and writes
`signal_policy.json` into the model directory, the report of the fit inside it. Weights are not
touched. Training calls `fit_signal_policy` on its own dev split the same way.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rabat.assessment.policy import load_policy
from rabat.labels import Label
from rabat.model.evidence import EvidencePolicy
from rabat.model.loader import load_classifier
from rabat.model.prediction import Prediction
from rabat.model.signal_policy import SignalPolicy
from rabat.signals import TARGET_GROUPS
from training import signal_fits as fits
from training.corpora.base import unflatten_spans

logger = logging.getLogger(__name__)

MIN_RATIONALE_ROWS = 100  # a language with fewer rationale rows takes the pooled policy
# whose `intent.target_bar` is the default bar
POLICY = Path(__file__).resolve().parents[1] / "configs" / "rabat.yaml"


class Predictor(Protocol):
    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]: ...


def fit_signal_policy(
    classifier: Predictor, rows: list[dict[str, Any]], default_bar: float | None = None
) -> SignalPolicy:
    """Score the dev `rows` (the split's records) as served and fit the policy on them."""
    rows = [r for r in rows if r.get("evidence_known") or r.get("targets_known")]
    logger.info("scoring %d dev rows with rationales or known targets", len(rows))
    found = classifier.predict([r["text"] for r in rows], [r.get("language", "und") for r in rows])
    bar = load_policy(POLICY).intent.target_bar if default_bar is None else default_bar
    return fit_from_predictions(rows, found, bar)


def fit_from_predictions(
    rows: Sequence[dict[str, Any]], found: Sequence[Prediction], default_bar: float
) -> SignalPolicy:
    """The policy fitted on dev `rows` and their predictions as served."""
    evidence, other, evidence_report = fit_evidence_policies(rows, found)
    bars, targets_report = fit_target_bars(rows, found, default_bar)
    return SignalPolicy(
        other, evidence, bars, {"evidence": evidence_report, "targets": targets_report}
    )


def _flat(spans: Any) -> list[int]:
    """The `evidence` column as a list: a split read back gives a list, a DataFrame an array."""
    return [] if spans is None else [int(i) for i in spans]


def rationale_rows(
    rows: Sequence[dict[str, Any]], found: Sequence[Prediction]
) -> dict[str, list[fits.RationaleRow]]:
    """Per language, the rows whose evidence people marked (known, label not `none`)."""
    out: dict[str, list[fits.RationaleRow]] = {}
    for row, prediction in zip(rows, found, strict=True):
        if row.get("evidence_known") and row["label"] != Label.NONE.value:
            gold = frozenset(
                ch for s, e in unflatten_spans(_flat(row.get("evidence"))) for ch in range(s, e)
            )
            out.setdefault(row.get("language", "und"), []).append(
                fits.RationaleRow(row["text"], prediction, gold)
            )
    return out


def fit_evidence_policies(
    rows: Sequence[dict[str, Any]], found: Sequence[Prediction]
) -> tuple[dict[str, EvidencePolicy], EvidencePolicy, dict[str, Any]]:
    """Per-language policies (languages with enough rationale rows), the pooled one, a report."""
    by_language = rationale_rows(rows, found)
    pooled = [r for group in by_language.values() for r in group]
    if not pooled:
        logger.warning("no dev rows with rationales: the evidence policy keeps its defaults")
        return {}, EvidencePolicy(), {"rows": 0, "kept": "defaults: no rationale rows"}
    other, _ = fits.fit_evidence(pooled)
    own = {
        code: fits.fit_evidence(group)[0]
        for code, group in sorted(by_language.items())
        if len(group) >= MIN_RATIONALE_ROWS
    }
    nones = [
        (row["text"], p)
        for row, p in zip(rows, found, strict=True)
        if row.get("evidence_known") and row["label"] == Label.NONE.value
    ]
    default = EvidencePolicy()
    report: dict[str, Any] = {
        "metric": "Toxic Spans character F1 of the served evidence, mean over rationale rows",
        "min_rows": MIN_RATIONALE_ROWS,
        "other": asdict(other),
        "languages": {},
        "none_rows_shown": {
            "rows": len(nones),
            "default": fits.shown_share(nones, default),
            "fitted": fits.shown_share(nones, other),
        },
    }
    for code, group in sorted(by_language.items()):
        served = own.get(code, other)
        report["languages"][code] = {
            "rows": len(group),
            "own_policy": code in own,
            "default_f1": round(fits.served_f1(group, default), 4),
            "fitted_f1": round(fits.served_f1(group, served), 4),
        }
    return own, other, report


def fit_target_bars(
    rows: Sequence[dict[str, Any]], found: Sequence[Prediction], default_bar: float
) -> tuple[dict[str, float | None], dict[str, Any]]:
    """Every group's bar on the rows with known targets, and the before/after figures."""
    known = [(r, p) for r, p in zip(rows, found, strict=True) if r.get("targets_known")]
    probs = np.array([[p.target_groups[g] for g in TARGET_GROUPS] for _, p in known]).reshape(
        -1, len(TARGET_GROUPS)
    )
    truth = np.array([[g in r["targets"] for g in TARGET_GROUPS] for r, _ in known]).reshape(
        -1, len(TARGET_GROUPS)
    )
    choices = {
        g: fits.choose_bar(probs[:, i], truth[:, i], default_bar)
        for i, g in enumerate(TARGET_GROUPS)
    }
    bars = {g: c.bar for g, c in choices.items()}
    before = [default_bar] * len(TARGET_GROUPS)
    report = {
        "rows": len(known),
        "aim": fits.PRECISION_AIM,
        "default_bar": default_bar,
        "groups": {g: asdict(c) for g, c in choices.items()},
        "before": micro(probs, truth, before),
        "after": micro(probs, truth, [bars[g] for g in TARGET_GROUPS]),
    }
    return bars, report


def micro(probs: np.ndarray, truth: np.ndarray, bars: Sequence[float | None]) -> dict[str, Any]:
    """Precision and recall of `targets_detected` over every (row, group) pair."""
    detected = np.column_stack(
        [
            np.zeros(len(probs), bool) if bar is None else probs[:, i] >= bar
            for i, bar in enumerate(bars)
        ]
    )
    count, hit = int(detected.sum()), int((detected & truth).sum())
    return {
        "precision": round(hit / count, 4) if count else None,
        "recall": round(hit / max(int(truth.sum()), 1), 4),
        "detections": count,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.signal_policy", description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="a published model directory")
    parser.add_argument("--splits", type=Path, help="the model whose splits/dev.jsonl to use")
    parser.add_argument("--backend", default="auto", help="auto, torch, onnx or onnx-int8")
    parser.add_argument("--policy", type=Path, default=POLICY, help="whose intent.target_bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    model = args.model.resolve()
    dev = (args.splits or model).resolve() / "splits" / "dev.jsonl"
    if not dev.is_file():
        parser.error(f"{dev} not found: pass --splits DIR, a model directory with splits/dev.jsonl")
    with dev.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    bar = load_policy(args.policy).intent.target_bar
    policy = fit_signal_policy(load_classifier(model, args.backend), rows, bar)
    print(f"wrote {policy.write(model)}")
    print(json.dumps(policy.report, indent=1))


if __name__ == "__main__":
    main()
