"""Build the released model folder from a trained model (`make release` runs it after training).

    python -m training.release --model models/rabat-release/latest --out release

1. Trim the vocabulary to the pieces of every functional suite and of the model's corpora in
   the served languages (every row but its dev and test texts), then the most probable pieces
   of their scripts, within `--budget` pieces (training/vocab.py).
2. Export the trimmed model to ONNX and quantise it to int8 (training/export_onnx.py), and
   record which initializer holds which parameter (training/release_weights.py), so that
   retraining can start from the release.
3. Check it: the trimmed int8 model against the untrimmed one on dev rows, and each language's
   dev texts tokenised before and after.
4. Write the served files, the card (MODEL_CARD.md), release.json (sizes, coverage, parity and
   the probabilities of a fixed set of texts) and SHA256SUMS into `--out`, replacing it whole.

    python -m training.release --refresh --splits models/rabat-release/VERSION --out release

re-chooses the release's operating point as served (`python -m training.repoint`, on the dev
split of `--splits`, the model the release was built from) and rewrites its record, card and
checksums; the weights stay byte for byte as they are.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rabat.labels import LABELS
from rabat.model.release import CHECK_TEXTS, RECORD, RELEASE_FILES, write_checksums
from rabat.store.files import write_text
from training import export_onnx
from training.release_card import card
from training.release_weights import write_weights_map
from training.vocab import choose_pieces, piece_counts, same_segmentation, trim_model_dir

logger = logging.getLogger(__name__)

# the ten languages of the multilingual model, and English
SERVED = ("ar", "de", "en", "es", "fr", "hi", "it", "nl", "pl", "pt", "zh")


def split_texts(model_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_json(model_dir / "splits" / f"{name}.jsonl", lines=True)


def suite_texts(data_dir: Path | None) -> list[str]:
    """Every functional suite's texts (slurs derived from the corpora at run time)."""
    from training.config import data_dir as resolve
    from training.functional.suite import LANGUAGES, build_all

    suites = build_all(resolve(data_dir or Path("../shared/data")), LANGUAGES)
    return [case.text for cases in suites.values() for case in cases]


def corpus_texts(model_dir: Path, data_dir: Path | None) -> list[str]:
    """Every row of the model's corpora in a served language, thinned rows included, less the
    texts of its dev and test splits (which measure the coverage)."""
    import yaml

    from rabat.text.cleaning import dedup_key
    from training.config import data_dir as resolve
    from training.corpora import load_corpus, recipe

    config = yaml.safe_load((model_dir / "training_config.yaml").read_text(encoding="utf-8"))
    held = pd.concat([split_texts(model_dir, "dev"), split_texts(model_dir, "test")])
    held_keys = set(held["text"].map(dedup_key))
    folder = resolve(data_dir or Path(config["data_dir"]))
    texts: list[str] = []
    for name in config["corpora"]:
        if recipe(name).language in SERVED:
            frame = load_corpus(name, folder).to_pandas()
            texts += [t for t in frame["text"] if dedup_key(t) not in held_keys]
    return texts


def choose(
    model_dir: Path, tokenizer: Any, budget: int, first: list[str], texts: list[str]
) -> list[int]:
    """The kept ids: every piece of `first` (the functional suites and the fixed texts), then
    the pieces of `texts`, commonest first, then the most probable pieces of the served
    scripts."""
    counts = piece_counts(tokenizer, texts)
    lead = max(counts.values(), default=0) + 1
    counts.update({i: lead for i in piece_counts(tokenizer, first)})  # ahead of everything
    tokenizer_json = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    return choose_pieces(tokenizer_json, counts, budget)


def coverage(model_dir: Path, staged: Path, kept: list[int]) -> dict[str, Any]:
    """Per language of the dev split: the share of texts tokenised exactly as before, and of
    their tokens (as the full vocabulary cuts them) that the trimmed one keeps."""
    from transformers import AutoTokenizer

    old = AutoTokenizer.from_pretrained(str(model_dir))
    new = AutoTokenizer.from_pretrained(str(staged))
    have = set(kept)
    dev = split_texts(model_dir, "dev")
    out = {}
    for language, rows in dev.groupby("language"):
        texts = rows["text"].tolist()
        same = same_segmentation(old, new, texts, kept)
        ids = [i for found in old(texts)["input_ids"] for i in found]
        out[str(language)] = {
            "texts": len(same),
            "same_tokens": round(float(np.mean(same)), 4),
            "tokens_kept": round(float(np.mean([i in have for i in ids])), 4),
        }
    return out


def parity(model_dir: Path, staged: Path, rows: int = 3000) -> dict[str, Any]:
    """The trimmed model against the untrimmed one, both in PyTorch fp32 (the int8 cost is in
    onnx_export.json), on `rows` dev texts the vocabulary was not chosen from: label agreement,
    probabilities, macro-F1 of each."""
    from rabat.model.loader import load_classifier
    from training.metrics import compute_metrics

    dev = split_texts(model_dir, "dev").sample(frac=1.0, random_state=13).head(rows)
    texts = dev["text"].tolist()
    found = {}
    for name, folder in (("untrimmed", model_dir), ("trimmed", staged)):
        predictions = load_classifier(folder, "torch").predict(texts)
        probs = np.array([[p.scores[label] for label in LABELS] for p in predictions])
        labels = [p.label for p in predictions]
        found[name] = (probs, compute_metrics(list(dev["label"]), labels, probs)["macro_f1"])
    (a, f1_before), (b, f1_after) = found["untrimmed"], found["trimmed"]
    return {
        "dev_texts": len(texts),
        "label_agreement": float(np.mean(a.argmax(1) == b.argmax(1))),
        "max_abs_prob_diff": float(np.abs(a - b).max()),
        "macro_f1_untrimmed": f1_before,
        "macro_f1_trimmed": f1_after,
    }


def check_predictions(staged: Path) -> list[dict[str, Any]]:
    """The fixed texts' probabilities, which the release test recomputes."""
    from rabat.model.loader import load_classifier

    found = load_classifier(staged, "onnx-int8", threads=1).predict(list(CHECK_TEXTS))
    return [
        {"text": text, "label": p.label, "scores": {k: round(v, 6) for k, v in p.scores.items()}}
        for text, p in zip(CHECK_TEXTS, found, strict=True)
    ]


def build(
    model_dir: Path, out: Path, budget: int, data_dir: Path | None, fp32_copy: Path | None = None
) -> dict[str, Any]:
    from transformers import AutoTokenizer

    model_dir = model_dir.resolve()
    staged = out.parent / f".{out.name}.build"
    shutil.rmtree(staged, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    first = [*suite_texts(data_dir), *CHECK_TEXTS]
    kept = choose(model_dir, tokenizer, budget, first, corpus_texts(model_dir, data_dir))
    record: dict[str, Any] = {"vocabulary": trim_model_dir(model_dir, staged, kept)}
    shutil.copytree(model_dir / "splits", staged / "splits")
    export_onnx.main(["--model", str(staged), "--dev-limit", "2000"])
    record["weights_map"] = write_weights_map(staged)
    record["vocabulary"]["coverage"] = coverage(model_dir, staged, kept)
    record["parity_with_untrimmed"] = parity(model_dir, staged)
    record["check"] = check_predictions(staged)
    meta = json.loads((staged / "rabat_model.json").read_text(encoding="utf-8"))
    record["version"] = meta["version"]
    write_text(staged / RECORD, json.dumps(record, indent=1, ensure_ascii=False))
    write_text(staged / "MODEL_CARD.md", card(staged, record))
    if fp32_copy is not None:  # the trimmed fp32 weights, to measure a retraining from them
        shutil.rmtree(fp32_copy, ignore_errors=True)
        shutil.copytree(staged, fp32_copy, ignore=shutil.ignore_patterns("*.onnx", "splits"))
    publish(staged, out)
    return record


def refresh(out: Path, splits: Path, data_dir: Path | None) -> dict[str, Any]:
    """The release in `out` with its operating point chosen again; nothing else changes."""
    from training.functional.suite import LANGUAGES
    from training.repoint import repoint

    staged = out.parent / f".{out.name}.build"
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(out, staged)
    repoint(staged, splits.resolve(), list(LANGUAGES), "onnx-int8", data_dir)
    fit_release_signal_policy(staged, splits)
    record = json.loads((staged / RECORD).read_text(encoding="utf-8"))
    record["check"] = check_predictions(staged)
    write_text(staged / RECORD, json.dumps(record, indent=1, ensure_ascii=False))
    write_text(staged / "MODEL_CARD.md", card(staged, record))
    publish(staged, out)
    return record


def fit_release_signal_policy(staged: Path, splits: Path) -> None:
    """Evidence policy and target bars fitted on the dev split as served (signal_policy.json)."""
    from rabat.model.loader import load_classifier
    from training.signal_policy import fit_signal_policy

    dev = split_texts(splits, "dev").to_dict("records")
    fit_signal_policy(load_classifier(staged, "onnx-int8"), dev).write(staged)


def publish(staged: Path, out: Path) -> None:
    """Keep the release's files only, checksum them, and swap the folder in whole."""
    for path in staged.iterdir():
        if path.name not in RELEASE_FILES:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    write_checksums(staged)
    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staged.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    size = sum(p.stat().st_size for p in out.iterdir())
    logger.info("released %s: %d files, %.1f MB", out, len(list(out.iterdir())), size / 1e6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.release", description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("models/rabat-release/latest"))
    parser.add_argument("--out", type=Path, default=Path("release"))
    parser.add_argument("--budget", type=int, default=80000, help="vocabulary pieces kept")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--fp32-copy",
        type=Path,
        default=None,
        help="also keep the trimmed fp32 PyTorch model here (not released; for measurements)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="only choose the operating point of the release in --out again (needs --splits)",
    )
    parser.add_argument("--splits", type=Path, help="with --refresh: the model whose dev split")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.refresh:
        if args.splits is None or not (args.splits / "splits" / "dev.jsonl").is_file():
            parser.error("--refresh needs --splits DIR, a published model with splits/dev.jsonl")
        record = refresh(args.out, args.splits, args.data_dir)
        print(json.dumps({"version": record["version"], "check": record["check"][:3]}, indent=1))
        return 0
    if not (args.model / "model.safetensors").is_file():
        print(
            f"error: {args.model} is not a trained model directory (no model.safetensors): "
            "train it first with `make release`, which trains configs/release.yaml",
            file=sys.stderr,
        )
        return 2
    record = build(args.model, args.out, args.budget, args.data_dir, args.fp32_copy)
    summary = {k: record[k] for k in ("version", "parity_with_untrimmed")}
    print(json.dumps({**summary, "pieces_kept": record["vocabulary"]["pieces_kept"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
