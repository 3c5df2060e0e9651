"""Score a model on the functional suite in each language: accuracy per category and overall.

python -m evaluation functional --model models/rabat-minilm/latest --languages fr,de,es,ar,en
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from training.config import data_dir
from training.functional.suite import LANGUAGES, build_all, score, table_rows

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation functional",
        description="Score a saved model on the functional suite, per language and category.",
    )
    parser.add_argument("--model", type=Path, required=True, help="a saved model directory")
    parser.add_argument(
        "--languages",
        type=languages,
        default=LANGUAGES,
        help=f"comma-separated suites to run (default: all, {','.join(LANGUAGES)})",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="the corpora (default: $RABAT_DATA_DIR)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    return parser


def languages(value: str) -> tuple[str, ...]:
    """`fr,de` -> ("fr", "de"); an unknown code is an argparse error that lists the known ones."""
    codes = tuple(code.strip() for code in value.split(",") if code.strip())
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown or not codes:
        raise argparse.ArgumentTypeError(
            f"expected codes from {','.join(LANGUAGES)}, found {value!r}"
        )
    return codes


def run(
    model_dir: Path, codes: Sequence[str], corpora: Path, backend: str = "auto"
) -> dict[str, dict[str, Any]]:
    """Each language's `score` result, with `texts_per_second` of the model on its cases; the
    model runs as it is served (`auto`: int8 ONNX when exported, the release's only form)."""
    from rabat.model.loader import load_classifier  # a backend loads here, not at import
    from training.inference import labels

    classifier = load_classifier(model_dir, backend)
    results = {}
    for language, cases in build_all(corpora, codes).items():
        start = time.perf_counter()
        result = score(cases, lambda texts: labels(classifier, texts))
        result["texts_per_second"] = len(cases) / (time.perf_counter() - start)
        results[language] = result
        logger.info("%s: %.3f overall over %d cases", language, result["overall"], len(cases))
    return results


def render(head: list[str], rows: list[list[str]]) -> str:
    """A plain-text table, columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    header = "  ".join(cell.ljust(w) for cell, w in zip(head, widths, strict=True))
    return "\n".join([header, "-" * len(header), *lines])


def summary_rows(results: dict[str, dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """One row per language: overall, mean of categories, worst category, cases, texts/s."""
    head = ["language", "overall", "mean of categories", "worst", "cases", "texts/s"]
    rows = [
        [
            language,
            f"{found['overall']:.3f}",
            f"{found['mean_of_categories']:.3f}",
            f"{found['worst']} {found['categories'][found['worst']]['accuracy']:.3f}",
            str(found["cases"]),
            f"{found.get('texts_per_second', 0.0):.0f}",
        ]
        for language, found in results.items()
    ]
    return head, rows


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        results = run(args.model, args.languages, args.data_dir or data_dir())
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for language, found in results.items():
        print(f"\n## {language}\n{render(*table_rows({language: found}))}")
    print(f"\n## all languages ({args.model})\n{render(*summary_rows(results))}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
