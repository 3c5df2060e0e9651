"""Calibrating the quantities behind the drop-in formats' scores (rabat/attributes) on a
model's dev split, and writing them to its `attributes.json`.

    python -m training.attributes --model-dir models/rabat-multilingual/latest [--limit N]

Dev is scored through the loader (the backend the service would use), each quantity gets an
isotonic curve, and its quality is measured honestly: fitted on one half of dev, measured on
the other, both ways round (ROC-AUC and expected calibration error, ECE, in 15 equal bins). The
curves written are then fitted on all of dev. Training runs this as its last step.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import roc_auc_score

from rabat.assessment.analysis import Predictor
from rabat.attributes.calibration import CALIBRATION_FILE, AttributeScorer, Curve
from rabat.attributes.quantities import QUANTITIES
from rabat.model.loader import AUTO, BACKENDS, load_classifier
from rabat.store.files import write_text

logger = logging.getLogger(__name__)

BINS = 15
MIN_LANGUAGE_ROWS = 100  # a language's own figures are reported from this many dev rows
TRAINING_LIMIT = 8000  # dev rows training scores in its last step (a seeded sample)
SEED = 0


@dataclass(frozen=True)
class Scored:
    """Every scored dev row's raw quantities and its label and call-to-violence annotation."""

    raw: dict[str, np.ndarray]
    labels: list[str]
    call_to_violence: list[int]
    languages: np.ndarray

    def target(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows that can tell: (raw, positive, language) for one quantity."""
        verdicts = [
            QUANTITIES[name].positive(label, cv)
            for label, cv in zip(self.labels, self.call_to_violence, strict=True)
        ]
        keep = np.array([v is not None for v in verdicts])
        y = np.array([bool(v) for v in verdicts])
        return self.raw[name][keep], y[keep], self.languages[keep]


def dev_rows(model_dir: Path) -> list[dict[str, Any]]:
    path = model_dir / "splits" / "dev.jsonl"
    if not path.is_file():
        raise SystemExit(
            f"{path} not found: the model directory must hold its splits (training writes them)"
        )
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def sample(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """A seeded sample of `limit` rows in their order (all of them when limit is 0)."""
    if not limit or len(rows) <= limit:
        return rows
    keep = np.random.default_rng(SEED).choice(len(rows), size=limit, replace=False)
    return [rows[i] for i in sorted(keep)]


def score(classifier: Predictor, rows: list[dict[str, Any]]) -> Scored:
    predictions = classifier.predict(
        [row["text"] for row in rows], [row.get("language", "und") for row in rows]
    )
    raw = {name: np.array([q.raw(p) for p in predictions]) for name, q in QUANTITIES.items()}
    return Scored(
        raw,
        [row["label"] for row in rows],
        [int(row.get("call_to_violence", -1)) for row in rows],
        np.array([row.get("language", "und") for row in rows]),
    )


def fit_curve(raw: np.ndarray, y: np.ndarray) -> Curve:
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y.astype(float))
    return Curve.from_knots(iso.X_thresholds_, iso.y_thresholds_)


def ece(probs: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: the row-weighted mean |mean score - positive rate| per bin."""
    which = np.minimum((probs * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(probs[inside].mean() - y[inside].mean())
    return float(total / max(len(y), 1))


def measure(raw: np.ndarray, y: np.ndarray, languages: np.ndarray) -> dict[str, Any]:
    """2-fold: fit on one half, measure on the other, both ways; the scores pooled. Also per
    language (those with MIN_LANGUAGE_ROWS rows) and the thresholds that reach a precision."""
    half = np.random.default_rng(SEED).permutation(len(y)) % 2 == 0
    calibrated = np.empty(len(y))
    for fold in (half, ~half):
        curve = fit_curve(raw[~fold], y[~fold])
        calibrated[fold] = [curve(v) for v in raw[fold]]
    by_language = {
        code: quality(raw[languages == code], y[languages == code], calibrated[languages == code])
        for code in sorted(set(languages.tolist()))
        if (languages == code).sum() >= MIN_LANGUAGE_ROWS
    }
    return {
        **quality(raw, y, calibrated),
        "thresholds": thresholds(calibrated, y),
        "by_language": by_language,
    }


def quality(raw: np.ndarray, y: np.ndarray, calibrated: np.ndarray) -> dict[str, Any]:
    both = len(set(y.tolist())) == 2
    return {
        "rows": len(y),
        "positives": int(y.sum()),
        "roc_auc": round(float(roc_auc_score(y, raw)), 4) if both else None,
        "ece_raw": round(ece(raw, y), 4),
        "ece": round(ece(calibrated, y), 4),
    }


def thresholds(scores: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Precision and recall at 0.5, 0.7 and 0.8, and the lowest threshold that reaches a
    precision of 0.7 and of 0.8 (None where none does)."""
    at = {}
    for t in (0.5, 0.7, 0.8):
        flagged = scores >= t
        precision = float(y[flagged].mean()) if flagged.any() else None
        recall = float((flagged & y).sum() / max(y.sum(), 1))
        at[str(t)] = {"precision": _round(precision), "recall": round(recall, 4)}
    reach = {}
    for target in (0.7, 0.8):
        found = None
        for t in sorted(set(np.round(scores, 4).tolist())):
            flagged = scores >= t
            if flagged.any() and y[flagged].mean() >= target:
                found = {
                    "threshold": t,
                    "recall": round(float((flagged & y).sum() / max(y.sum(), 1)), 4),
                }
                break
        reach[str(target)] = found
    return {"at": at, "for_precision": reach}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def fit(
    classifier: Predictor, rows: list[dict[str, Any]], limit: int = TRAINING_LIMIT
) -> AttributeScorer:
    """Every quantity's curve, fitted on (a sample of) the labelled dev `rows`, and a report
    of its 2-fold ROC-AUC and ECE."""
    rows = sample(rows, limit)
    scored = score(classifier, rows)
    curves, report = {}, {}
    for name in QUANTITIES:
        raw, y, languages = scored.target(name)
        if len(set(y.tolist())) < 2:  # a small dev split: served raw, and said so
            logger.warning("%s: the %d dev rows that tell hold one class only", name, len(y))
            report[name] = {"rows": len(y), "positives": int(y.sum()), "skipped": "one class"}
            continue
        curves[name] = fit_curve(raw, y)
        report[name] = {**measure(raw, y, languages), "meaning": QUANTITIES[name].meaning}
    meta = {
        "dev_rows": len(rows),
        "limit": limit,
        "seed": SEED,
        "bins": BINS,
        "data": "the model's dev split; licences as in its data_manifest.json",
    }
    return AttributeScorer(curves, {"fit": meta, "attributes": report})


def calibrate(classifier: Predictor, model_dir: Path, limit: int = 0) -> AttributeScorer:
    """Fit on the model's own splits/dev.jsonl and write `model_dir/attributes.json`."""
    scorer = fit(classifier, dev_rows(model_dir), limit)
    write_text(model_dir / CALIBRATION_FILE, json.dumps(scorer.to_json(), indent=1) + "\n")
    return scorer


def table(report: dict[str, Any]) -> str:
    """attributes.json's report as a Markdown table (docs/measured.md shows it too)."""
    lines = [
        "| quantity | dev rows | positives | ROC-AUC | ECE raw | ECE calibrated | "
        "precision / recall at 0.5 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["attributes"].items():
        at = r.get("thresholds", {}).get("at", {}).get("0.5", {})
        pr = f"{at.get('precision')} / {at.get('recall')}" if at else "-"
        cells = [name, r["rows"], r["positives"]]
        cells += [r.get(key, "-") for key in ("roc_auc", "ece_raw", "ece")] + [pr]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines)


def language_table(report: dict[str, Any]) -> str:
    """ECE after calibration, per language and quantity (ROC-AUC in brackets)."""
    names = [n for n, r in report["attributes"].items() if "by_language" in r]
    codes = sorted({c for n in names for c in report["attributes"][n]["by_language"]})
    lines = ["| language | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for code in codes:
        cells = []
        for name in names:
            found = report["attributes"][name]["by_language"].get(code)
            cells.append("-" if found is None else f"{found['ece']} ({found['roc_auc']})")
        lines.append(f"| {code} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.attributes", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--backend", default=AUTO, choices=[*BACKENDS, AUTO])
    parser.add_argument(
        "--limit",
        type=int,
        default=0,
        help="dev rows to score (a seeded sample); 0: all",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    classifier = load_classifier(args.model_dir, args.backend)
    scorer = calibrate(classifier, args.model_dir, args.limit)
    print(table(dict(scorer.report)), language_table(dict(scorer.report)), sep="\n\n")
    print(args.model_dir / CALIBRATION_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
