"""`python -m evaluation report`: evaluate a trained model and the baselines on labelled files,
and write the report.

    python -m evaluation report --model models/rabat/0.1.0 data/test.jsonl
    python -m evaluation report --model DIR --train-file train.jsonl --no-hatesonar --limit 200 FILE

The scoring itself is `evaluation.comparison.evaluate_files`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation import evidence
from evaluation.baselines import MissingLocaleError
from evaluation.comparison import evaluate_files
from evaluation.tables import ECE, Column, metric, table
from rabat.model.meta import META_FILE
from rabat.store.records import CSV_SUFFIXES, JSONL_SUFFIXES
from rabat.text.cleaning import MAX_TEXT_CHARS
from training.config import data_dir
from training.functional.suite import build_cases

SUMMARY: list[Column] = [
    ("macro-F1", metric("macro_f1"), True),
    ("accuracy", metric("accuracy"), True),
    ("hateful F1", metric("binary_hateful", "f1"), True),
    ECE,
]


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
    _add_inputs(parser)
    _add_sections(parser)
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="labelled .jsonl/.json/.csv files with text and label",
    )
    return parser


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    """The model, the baselines' inputs, where the report goes and how the files are read."""
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


def _add_sections(parser: argparse.ArgumentParser) -> None:
    """The report's sections beyond the files: functional suite, evidence, case bank."""
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
    _print_result(result)
    return 0


def _print_result(result: dict[str, Any]) -> None:
    """The summary tables, one line per section, and where the report is."""
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


if __name__ == "__main__":
    sys.exit(main())
