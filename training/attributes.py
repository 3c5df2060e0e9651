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
from sklearn.linear_model import LogisticRegression

from rabat.assessment.analysis import Predictor
from rabat.attributes.calibration import CALIBRATION_FILE, EPS, AttributeScorer, Curve, Platt
from rabat.attributes.quantities import QUANTITIES
from rabat.model.loader import AUTO, BACKENDS, load_classifier
from rabat.store.files import write_text
from training.attribute_quality import BINS, SEED, measure

logger = logging.getLogger(__name__)

MIN_FIT_ROWS, MIN_FIT_CLASS = 60, 5  # a language gets its own correction from this many rows
TRAINING_LIMIT = 8000  # dev rows training scores in its last step (a seeded sample)


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


def fit_quantity(
    raw: np.ndarray, y: np.ndarray, languages: np.ndarray
) -> tuple[Curve, dict[str, Platt]]:
    """The curve on every row, then a correction for each language with enough rows of both
    classes (MIN_FIT_ROWS, MIN_FIT_CLASS), fitted on the curve's output for its rows."""
    curve = fit_curve(raw, y)
    calibrated = np.array([curve(v) for v in raw])
    corrections = {}
    for code in sorted(set(languages.tolist())):
        mine = languages == code
        positives = int(y[mine].sum())
        if (
            mine.sum() >= MIN_FIT_ROWS
            and min(positives, int(mine.sum()) - positives) >= MIN_FIT_CLASS
        ):
            corrections[code] = fit_platt(calibrated[mine], y[mine])
    return curve, corrections


def _with_corrections(
    raw: np.ndarray, y: np.ndarray, languages: np.ndarray, on: np.ndarray, on_languages: np.ndarray
) -> np.ndarray:
    return apply(*fit_quantity(raw, y, languages), on, on_languages)


def _curve_only(
    raw: np.ndarray, y: np.ndarray, languages: np.ndarray, on: np.ndarray, on_languages: np.ndarray
) -> np.ndarray:
    return apply(fit_curve(raw, y), {}, on, on_languages)


def fit_platt(p: np.ndarray, y: np.ndarray) -> Platt:
    clipped = np.clip(p, EPS, 1.0 - EPS)
    logit = np.log(clipped / (1.0 - clipped)).reshape(-1, 1)
    model = LogisticRegression(C=1.0).fit(logit, y.astype(int))
    return Platt(float(model.coef_[0][0]), float(model.intercept_[0]))


def apply(
    curve: Curve, corrections: dict[str, Platt], raw: np.ndarray, languages: np.ndarray
) -> np.ndarray:
    out = np.array([curve(v) for v in raw])
    for code, platt in corrections.items():
        mine = languages == code
        out[mine] = [platt(v) for v in out[mine]]
    return out


def fit(
    classifier: Predictor, rows: list[dict[str, Any]], limit: int = TRAINING_LIMIT
) -> AttributeScorer:
    """Every quantity's curve, fitted on (a sample of) the labelled dev `rows`, and a report
    of its 2-fold ROC-AUC and ECE."""
    rows = sample(rows, limit)
    scored = score(classifier, rows)
    curves, report, corrections = {}, {}, {}
    for name in QUANTITIES:
        raw, y, languages = scored.target(name)
        if len(set(y.tolist())) < 2:  # a small dev split: served raw, and said so
            logger.warning("%s: the %d dev rows that tell hold one class only", name, len(y))
            report[name] = {"rows": len(y), "positives": int(y.sum()), "skipped": "one class"}
            continue
        curves[name], corrections[name] = fit_quantity(raw, y, languages)
        measured = measure(raw, y, languages, _with_corrections, _curve_only)
        report[name] = {**measured, "meaning": QUANTITIES[name].meaning}
    meta = {
        "dev_rows": len(rows),
        "limit": limit,
        "seed": SEED,
        "bins": BINS,
        "data": "the model's dev split; licences as in its data_manifest.json",
    }
    by_language: dict[str, dict[str, Platt]] = {}
    for name, found in corrections.items():
        for code, platt in found.items():
            by_language.setdefault(code, {})[name] = platt
    return AttributeScorer(curves, {"fit": meta, "attributes": report}, by_language)


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
