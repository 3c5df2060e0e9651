"""Evaluate a trained model and the baselines on labelled files, and write the report.

    python -m evaluation report --model models/rabat/0.1.0 data/test.jsonl
    python -m evaluation report --model DIR --train-file train.jsonl --no-hatesonar --limit 200 FILE

The trainer calls `evaluate_files` directly.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from rabat.classifier import Classifier
from rabat.labels import LABELS
from rabat.meta import META_FILE
from rabat.records import CSV_SUFFIXES, JSONL_SUFFIXES
from rabat.text import MAX_TEXT_CHARS
from evaluation import cases as case_bank
from evaluation import evidence
from evaluation.baselines import Baseline, HateSonarBaseline, MissingLocaleError, TfidfBaseline
from training.config import data_dir
from training.evaluate import compute_metrics
from training.functional.suite import Case, build_cases
from training.functional.suite import score as score_suite
from training.labelled_files import LabelledRow, read_labelled
from evaluation.report import ECE, TRANSFORMER, Column, metric, table, write_report

logger = logging.getLogger(__name__)

DEFAULT_TRAIN_FILE = Path("splits") / "train.jsonl"
SUMMARY: list[Column] = [
    ("macro-F1", metric("macro_f1"), True),
    ("accuracy", metric("accuracy"), True),
    ("hateful F1", metric("binary_hateful", "f1"), True),
    ECE,
]


class TransformerSystem:
    """The trained classifier behind the same interface as the baselines."""

    name = TRANSFORMER

    def __init__(self, classifier: Classifier, chunk_size: int = 256) -> None:
        self.classifier = classifier
        self.chunk_size = chunk_size

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """n x 4 probabilities in LABELS order, with a progress bar."""
        rows: list[list[float]] = []
        with tqdm(total=len(texts), desc="transformer", unit="text") as bar:
            for start in range(0, len(texts), self.chunk_size):
                chunk = list(texts[start : start + self.chunk_size])
                for pred in self.classifier.predict(chunk):
                    rows.append([pred.scores[label] for label in LABELS])
                bar.update(len(chunk))
        return np.asarray(rows, dtype=float).reshape(len(texts), len(LABELS))


def evaluate_files(
    model_dir: str | Path,
    files: Sequence[str | Path],
    out_dir: str | Path | None = None,
    train_file: str | Path | None = None,
    hatesonar: bool = True,
    limit: int | None = None,
    max_chars: int = MAX_TEXT_CHARS,
    encoding: str = "utf-8",
    functional_cases: Sequence[Case] | None = None,
    evidence_methods: Sequence[str] = (),
    cases: bool = False,
) -> dict[str, Any]:
    """Score the model and baselines on each file (and on the functional suite's cases, when
    given, the evidence with `evidence_methods`: evaluation/evidence.py, and the Rabat
    decision on the case bank with `cases`: evaluation/cases.py), write the report; return the
    metrics.

    Defaults: out_dir is model_dir/eval; train_file (for the TF-IDF baseline) is
    model_dir/splits/train.jsonl when it exists, else that baseline is skipped.
    """
    model_dir = Path(model_dir)
    read = _read_files(files, max_chars, encoding)
    datasets = {key: rows[:limit] for key, rows in read.items()}
    sonar = HateSonarBaseline() if hatesonar else None  # first: fails fast without the locale
    classifier = Classifier.load(model_dir)
    systems: list[Baseline] = [TransformerSystem(classifier)]
    train_path = _train_file(model_dir, train_file)
    if train_path is not None:
        train_rows = read_labelled(train_path)
        systems.append(
            TfidfBaseline.train([r.text for r in train_rows], [r.label for r in train_rows])
        )
        _warn_overlap(datasets, train_rows, train_path)
    if sonar is not None:
        systems.append(sonar)
    results = {key: _score(systems, rows) for key, rows in datasets.items()}
    functional = (
        {system.name: score_suite(functional_cases, system.predict_proba) for system in systems}
        if functional_cases
        else None
    )
    evidence = (
        evidence.evaluate(model_dir, data_dir(), methods=evidence_methods, limit=limit)
        if evidence_methods
        else None
    )
    bank = case_bank.evaluate(model_dir, data_dir=data_dir()) if cases else None
    meta = {
        "model_dir": str(model_dir),
        "model_version": classifier.version,
        "base_model": classifier.meta.base_model,
        "files": [str(f) for f in files],
        "train_file": str(train_path) if train_path else None,
        "systems": [s.name for s in systems],
        "limit": limit,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = Path(out_dir) if out_dir is not None else model_dir / "eval"
    page = write_report(results, out, meta, functional, evidence, bank)
    return {
        "meta": meta,
        "labels": list(LABELS),
        "files": results,
        "functional": functional,
        "evidence": evidence,
        "cases": bank,
        "report": str(page),
    }


def _read_files(
    files: Sequence[str | Path], max_chars: int, encoding: str
) -> dict[str, list[LabelledRow]]:
    """Rows per file, keyed by file stem (the full path where two stems collide)."""
    stems = [Path(f).stem for f in files]
    return {
        (Path(f).stem if stems.count(Path(f).stem) == 1 else str(f)): read_labelled(
            f, max_chars, encoding
        )
        for f in files
    }


def _train_file(model_dir: Path, train_file: str | Path | None) -> Path | None:
    if train_file is not None:
        return Path(train_file)
    default = model_dir / DEFAULT_TRAIN_FILE
    if default.is_file():
        return default
    logger.warning(
        "skipping the TF-IDF baseline: no --train-file given and %s does not exist", default
    )
    return None


def _warn_overlap(
    datasets: dict[str, list[LabelledRow]], train_rows: list[LabelledRow], train_path: Path
) -> None:
    seen = {row.text for row in train_rows}
    for key, rows in datasets.items():
        shared = sum(row.text in seen for row in rows)
        if shared:
            logger.warning(
                "%d of %d texts in %s also appear in %s: their scores are optimistic",
                shared,
                len(rows),
                key,
                train_path,
            )


def _score(systems: Sequence[Baseline], rows: list[LabelledRow]) -> dict[str, dict[str, Any]]:
    texts = [row.text for row in rows]
    gold = [row.label for row in rows]
    sources = [row.source for row in rows]
    results = {}
    for system in systems:
        probs = system.predict_proba(texts)
        predicted = [LABELS[i] for i in probs.argmax(axis=1)]
        results[system.name] = compute_metrics(gold, predicted, probs, sources)
        logger.info("%s: macro-F1 %s", system.name, results[system.name]["macro_f1"])
    return results


def summary(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """A compact plain-text table per file; * marks the best system per column."""
    lines = []
    for key, systems in results.items():
        head = ["system", *[c[0] for c in SUMMARY]]
        rows = [
            [c.replace("**", "") + ("*" if c.startswith("**") else "") for c in row]
            for row in table(systems, SUMMARY)
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines.append(f"{key} ({next(iter(systems.values()))['n']} texts)")
        for row in [head, *rows]:
            lines.append(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )
        lines.append("")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation report",
        description="Evaluate a Rabat model and baselines on labelled JSONL/CSV files.",
    )
    parser.add_argument(
        "--model",
        required=True,
        type=Path,
        metavar="DIR",
        help="model directory written by training",
    )
    parser.add_argument(
        "--train-file",
        type=Path,
        metavar="TRAIN",
        help="labelled file for the TF-IDF baseline (default DIR/splits/train.jsonl)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="report directory (default DIR/eval)"
    )
    parser.add_argument("--no-hatesonar", action="store_true", help="skip the HateSonar baseline")
    parser.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="evaluate only the first N rows of each file",
    )
    parser.add_argument(
        "--max-chars",
        type=_positive_int,
        default=MAX_TEXT_CHARS,
        metavar="N",
        help=f"skip (and name) texts longer than N characters ({MAX_TEXT_CHARS:,})",
    )
    parser.add_argument("--encoding", default="utf-8", help="the files' text encoding (utf-8)")
    parser.add_argument(
        "--no-functional",
        action="store_true",
        help="skip the functional suite (training/functional)",
    )
    parser.add_argument(
        "--evidence",
        nargs="*",
        default=["head", "gradient"],
        choices=("head", "gradient"),
        help="evidence methods to score on HateXplain val and Toxic Spans (default: head and "
        "the gradient x input baseline; none given: skip)",
    )
    parser.add_argument(
        "--no-cases",
        action="store_true",
        help="skip the Rabat decision on the case bank (docs/cases; evaluation/cases.py)",
    )
    parser.add_argument(
        "--lexicon",
        type=Path,
        help="slurs for the functional suite, one per line (default: derived from the corpora)",
    )
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="labelled .jsonl/.json/.csv files with text and label",
    )
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, found {value!r}"
        ) from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, found {number}")
    return number


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not (args.model / META_FILE).is_file():
        parser.error(
            f"--model {args.model}: expected a model directory containing {META_FILE}, "
            "found none. Pass the directory that training wrote (models/<name>/<version>)."
        )
    if args.train_file is not None and not args.train_file.is_file():
        parser.error(f"--train-file {args.train_file} does not exist: check the path.")
    suffixes = JSONL_SUFFIXES + CSV_SUFFIXES
    for path in args.files:
        if not path.is_file():
            parser.error(f"file {path} does not exist: check the path.")
        if path.suffix.lower() not in suffixes:
            parser.error(
                f"file {path}: expected a {'/'.join(suffixes)} file, found {path.suffix!r}."
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        cases = None if args.no_functional else build_cases(data_dir(), args.lexicon)
        result = evaluate_files(
            args.model,
            args.files,
            out_dir=args.out,
            train_file=args.train_file,
            hatesonar=not args.no_hatesonar,
            limit=args.limit,
            max_chars=args.max_chars,
            encoding=args.encoding,
            functional_cases=cases,
            evidence_methods=args.evidence,
            cases=not args.no_cases,
        )
    except (ValueError, FileNotFoundError, MissingLocaleError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(summary(result["files"]))
    for name, found in (result["functional"] or {}).items():
        worst = found["worst"]
        print(
            f"functional suite, {name}: {found['overall']:.3f} overall over {found['cases']} "
            f"cases; worst {worst} {found['categories'][worst]['accuracy']:.3f}"
        )
    if result["evidence"]:
        print("\n".join(evidence.table(result["evidence"])))
    if result["cases"]:
        held = result["cases"]["parts"]["held_apart"]
        print(
            f"case bank, held apart: decision agreement {held['decision_agreement']:.3f}, "
            f"incitement recall {held['incitement_recall']:.3f}, protected met "
            f"{held['protected_met']:.3f} over {held['cases']} cases (make cases for the table)"
        )
    print(f"report: {result['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
