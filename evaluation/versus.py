"""Two models side by side, as each is served: dev macro-F1, incitement F1 and each language's
functional suite (a new release against the model it replaces).

    python -m evaluation versus --model release --baseline models/rabat-multilingual/latest \
        --splits models/rabat-release/VERSION --exclude models/rabat-multilingual/latest \
        --out docs/release/versus

The dev rows are the dev split of `--splits` less every text in the training split of each
`--exclude` model, so that neither model trained on any of them (two models' splits drawn from
different corpora differ).
Writes `<out>.json` and `<out>.md`.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rabat.labels import LABELS
from rabat.store.files import write_text
from rabat.text.cleaning import dedup_key
from training.config import data_dir

logger = logging.getLogger(__name__)


def shared_dev(splits: Path, exclude: list[Path]) -> pd.DataFrame:
    """The dev rows of `splits` whose text none of the `exclude` models trained on."""
    dev = pd.read_json(splits / "splits" / "dev.jsonl", lines=True)
    seen: set[str] = set()
    for model_dir in exclude:
        train = pd.read_json(model_dir / "splits" / "train.jsonl", lines=True)
        seen |= set(train["text"].map(dedup_key))
    return dev[~dev["text"].map(dedup_key).isin(seen)].reset_index(drop=True)


def dev_scores(model_dir: Path, dev: pd.DataFrame) -> dict[str, Any]:
    from rabat.model.loader import load_classifier
    from training.metrics import compute_metrics

    found = load_classifier(model_dir, "auto").predict(dev["text"].tolist())
    probs = np.array([[p.scores[label] for label in LABELS] for p in found])
    labels = [p.label for p in found]
    metrics = compute_metrics(list(dev["label"]), labels, probs)
    per_language = {}
    for language, rows in dev.groupby("language"):
        index = rows.index.to_list()
        part = compute_metrics(list(rows["label"]), [labels[i] for i in index], probs[index])
        per_language[str(language)] = {"rows": len(index), "macro_f1": part["macro_f1"]}
    return {
        "rows": len(dev),
        "macro_f1": metrics["macro_f1"],
        "incitement_f1": metrics["per_label"]["incitement"]["f1"] or 0.0,
        "hateful_f1": metrics["binary_hateful"].get("f1"),
        "hateful_precision": metrics["binary_hateful"].get("precision"),
        "hateful_recall": metrics["binary_hateful"].get("recall"),
        "per_language": per_language,
    }


def compare(model: Path, baseline: Path, splits: Path, exclude: list[Path]) -> dict[str, Any]:
    from evaluation.functional import run as functional
    from training.functional.suite import LANGUAGES

    dev = shared_dev(splits, exclude)
    out: dict[str, Any] = {"dev_rows": len(dev)}
    for name, folder in (("model", model), ("baseline", baseline)):
        suites = functional(folder, LANGUAGES, data_dir())
        out[name] = {
            "dir": str(folder),
            "version": json.loads((folder / "rabat_model.json").read_text())["version"],
            "dev": dev_scores(folder, dev),
            "functional": {code: found["overall"] for code, found in suites.items()},
        }
    return out


def table(result: dict[str, Any]) -> str:
    """The comparison as a markdown table: one row per figure, both models and the change."""
    model, base = result["model"], result["baseline"]
    rows = [
        ("dev macro-F1", model["dev"]["macro_f1"], base["dev"]["macro_f1"]),
        ("dev incitement F1", model["dev"]["incitement_f1"], base["dev"]["incitement_f1"]),
    ]
    rows += [
        (
            f"dev hateful {what}",
            model["dev"].get(f"hateful_{what}"),
            base["dev"].get(f"hateful_{what}"),
        )
        for what in ("precision", "recall")
    ]
    rows += [
        (f"dev macro-F1 {code}", found["macro_f1"], base["dev"]["per_language"][code]["macro_f1"])
        for code, found in sorted(model["dev"]["per_language"].items())
        if code in base["dev"]["per_language"]
    ]
    rows += [
        (f"functional suite {code}", model["functional"][code], base["functional"][code])
        for code in model["functional"]
    ]
    lines = [
        f"`{model['version']}` against `{base['version']}` on {result['dev_rows']} dev rows "
        "neither trained on, and each language's functional suite, each model as served.",
        "",
        "| figure | new | baseline | change |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {a:.3f} | {b:.3f} | {a - b:+.3f} |"
        for name, a, b in rows
        if a is not None and b is not None
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation versus", description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="the new model (release/)")
    parser.add_argument("--baseline", type=Path, required=True, help="the model it replaces")
    parser.add_argument(
        "--splits", type=Path, required=True, help="a published model directory: its dev split"
    )
    parser.add_argument(
        "--exclude",
        type=Path,
        nargs="+",
        default=[],
        help="published model directories whose training texts leave the dev rows",
    )
    parser.add_argument("--out", type=Path, required=True, help="writes OUT.json and OUT.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    result = compare(args.model, args.baseline, args.splits, args.exclude)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out.with_suffix(".json"), json.dumps(result, indent=1))
    write_text(args.out.with_suffix(".md"), table(result))
    print(table(result))
    return 0
