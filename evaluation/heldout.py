"""`python -m evaluation heldout --out DIR [--model M]`: labelled files for `make eval` beyond the
model's own splits.

    DIR/hatexplain_val.jsonl   HateXplain's official validation split (Mathew et al. 2021), each
                               post labelled by the majority of its three annotators (hate speech
                               -> hate_speech, offensive, normal -> none; no majority: left out).
                               Training never sees these posts (training/corpora/hatexplain.py).
    DIR/dev_perturbed.jsonl    with --model: the model's dev split with every row obfuscated by
                               the augmenter (training/augment.py) under a seed training never
                               used (PERTURB_SEED), to measure what obfuscation costs.

Targets (issue 9): hateful-vs-not ROC-AUC on the first; dev macro-F1 minus the second's at most
0.03. `make eval` reports both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from rabat.store.files import write_text
from training.augment import obfuscate_rows
from training.config import data_dir
from training.corpora.hatexplain import validation_rows

PERTURB_SEED = 90211  # never a training seed


def write_hatexplain_val(corpora: Path, out_dir: Path) -> Path:
    """Write the validation split as a labelled JSONL file; returns its path."""
    rows = validation_rows(corpora)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "hatexplain_val.jsonl"
    lines = (
        json.dumps({"text": text, "label": label, "source": "hatexplain_val"}, ensure_ascii=False)
        for text, label in zip(rows["text"], rows["label"], strict=True)
    )
    write_text(path, "\n".join(lines) + "\n")
    return path


def write_perturbed_dev(model_dir: Path, out_dir: Path, seed: int = PERTURB_SEED) -> Path:
    """The model's dev split with every row obfuscated under `seed`; returns its path."""
    dev = pd.read_json(model_dir / "splits/dev.jsonl", lines=True)
    perturbed = obfuscate_rows(dev, 1.0, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "dev_perturbed.jsonl"
    lines = (
        json.dumps({"text": t, "label": lab, "source": src}, ensure_ascii=False)
        for t, lab, src in zip(
            perturbed["text"], perturbed["label"], perturbed["source"], strict=True
        )
    )
    write_text(path, "\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation heldout", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the files")
    parser.add_argument("--model", type=Path, help="also write its dev split, perturbed")
    args = parser.parse_args(argv)
    try:
        print(write_hatexplain_val(data_dir(), args.out))
        if args.model is not None:
            print(write_perturbed_dev(args.model, args.out))
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
