"""The multilingual model against the English one, on the same texts, in one run.

    python -m evaluation multilingual --model models/rabat-multilingual/latest \
        --english models/rabat-minilm/latest [--out FILE.json]

Three measurements, each for both models:
1. **English dev, the same rows.** The English model's dev split, less every text the
   multilingual model trained on (by dedup key), so neither model has seen a row scored.
2. **Transfer, RTP-LX.** RTP-LX (11 locales; "check first", so in no training config) scored per
   language: label macro-F1 and binary hateful accuracy. A language is marked `trained` when the
   model's training data holds it; the others measure cross-lingual transfer.
3. **The functional suite per language** (training/functional: en, fr, de, es, ar).

Results go to `MODEL/eval/multilingual.json` (the model card reads it) and print as tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rabat.labels import HATEFUL, LABELS
from rabat.text.cleaning import dedup_key
from training.config import data_dir as resolve_data_dir
from training.corpora import load_corpus
from training.metrics import compute_metrics

RESULT = "eval/multilingual.json"


def trained_languages(model_dir: Path) -> list[str]:
    """The languages of the corpora a model learnt from (its data manifest)."""
    manifest = json.loads((model_dir / "data_manifest.json").read_text(encoding="utf-8"))
    found = {str(s.get("language", "en")) for s in manifest["sources"].values()}
    return sorted(found)


def english_rows(english: Path, multilingual: Path) -> pd.DataFrame:
    """The English model's dev rows that the multilingual model did not train on."""
    dev = pd.read_json(english / "splits/dev.jsonl", lines=True)
    seen = pd.read_json(multilingual / "splits/train.jsonl", lines=True)["text"].map(dedup_key)
    return dev[~dev["text"].map(dedup_key).isin(set(seen))].reset_index(drop=True)


def scores(gold: Sequence[str], probs: np.ndarray) -> dict[str, Any]:
    """Macro-F1 and accuracy over the four labels, and binary hateful accuracy."""
    predicted = [LABELS[i] for i in probs.argmax(axis=1)]
    found = compute_metrics(list(gold), predicted, probs)
    hateful = [(g in HATEFUL) == (p in HATEFUL) for g, p in zip(gold, predicted, strict=True)]
    return {
        "n": len(gold),
        "macro_f1": found["macro_f1"],
        "accuracy": found["accuracy"],
        "binary_accuracy": float(np.mean(hateful)),
    }


def evaluate(model_dirs: dict[str, Path], data: Path) -> dict[str, Any]:
    """Every measurement (module docstring) for each named model."""
    from evaluation.functional import run as functional
    from rabat.model.loader import load_torch
    from training.inference import probabilities

    english = english_rows(model_dirs["english"], model_dirs["multilingual"])
    rtp = load_corpus("rtp_lx", data).to_pandas()
    out: dict[str, Any] = {"english_dev_rows": len(english), "models": {}}
    for name, model_dir in model_dirs.items():
        classifier = load_torch(model_dir)
        started = time.perf_counter()
        result: dict[str, Any] = {
            "model": str(model_dir.resolve()),
            "trained_languages": trained_languages(model_dir),
            "english_dev": scores(
                english["label"], probabilities(classifier, list(english["text"]))
            ),
        }
        rtp_probs = probabilities(classifier, list(rtp["text"]))
        result["rtp_lx"] = {
            str(language): {
                **scores(rows["label"], rtp_probs[rows.index.to_numpy()]),
                "trained": language in result["trained_languages"],
            }
            for language, rows in rtp.groupby("language")
        }
        texts = len(english) + len(rtp)
        result["texts_per_second"] = round(texts / (time.perf_counter() - started), 1)
        del classifier
        result["functional"] = {
            code: {
                "overall": found["overall"],
                "mean_of_categories": found["mean_of_categories"],
                "categories": {k: v["accuracy"] for k, v in found["categories"].items()},
            }
            for code, found in functional(model_dir, ("en", "fr", "de", "es", "ar"), data).items()
        }
        out["models"][name] = result
    return out


def tables(result: dict[str, Any]) -> str:
    """The results as Markdown tables, models side by side."""
    models = result["models"]
    names = list(models)
    lines = [f"English dev, the same {result['english_dev_rows']} rows (macro-F1):", ""]
    lines += ["| model | macro-F1 | accuracy |", "|---|---|---|"]
    for name in names:
        found = models[name]["english_dev"]
        lines.append(f"| {name} | {found['macro_f1']:.3f} | {found['accuracy']:.3f} |")
    lines += ["", "RTP-LX per language: macro-F1 / binary hateful accuracy (* trained on):", ""]
    lines += ["| language | rows | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
    for language in sorted(models[names[0]]["rtp_lx"]):
        cells = []
        for name in names:
            found = models[name]["rtp_lx"][language]
            mark = "*" if found["trained"] else ""
            cells.append(f"{found['macro_f1']:.3f} / {found['binary_accuracy']:.3f}{mark}")
        rows = models[names[0]]["rtp_lx"][language]["n"]
        lines.append(f"| {language} | {rows} | " + " | ".join(cells) + " |")
    lines += ["", "Functional suite, overall accuracy per language:", ""]
    codes = list(models[names[0]]["functional"])
    lines += ["| model | " + " | ".join(codes) + " |", "|---" * (len(codes) + 1) + "|"]
    for name in names:
        found = models[name]["functional"]
        lines.append(
            f"| {name} | " + " | ".join(f"{found[c]['overall']:.3f}" for c in codes) + " |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation multilingual", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", type=Path, required=True, help="the multilingual model")
    parser.add_argument("--english", type=Path, required=True, help="the English model")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="default: MODEL/" + RESULT)
    args = parser.parse_args(argv)
    for path in (args.model, args.english):
        if not (path / "splits/dev.jsonl").is_file():
            print(f"error: {path} is not a trained model directory (no splits/)", file=sys.stderr)
            return 2
    data = args.data_dir or resolve_data_dir()
    result = evaluate({"english": args.english, "multilingual": args.model}, data)
    out = args.out or args.model / RESULT
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".partial")
    tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    print(tables(result))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
