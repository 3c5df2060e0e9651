"""Retraining from the release, measured: N reviewed rows (a corpus the release never read, as
`python -m annotation pull` writes them), `make train REVIEWS=...`'s run, the ONNX export the
retraining job adds, and the retrained model against the release it started from.

    python scripts/bench_retrain.py --rows 2000 --out runs/bench-retrain

The reviews come from `--corpus` (default gab_hate: left out of the release for its licence, so
new to the model), one reviewer per row with the corpus's label. The comparison is
`python -m evaluation versus` on the release's dev rows the retrained model did not train on,
and every language's functional suite. Writes OUT.json and OUT.md; prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rabat.review.reviews import parse_annotation, resolve
from rabat.store.files import write_text
from training.config import data_dir
from training.corpora import load_corpus


def write_reviews(corpus: str, rows: int, target: Path) -> int:
    """`rows` rows of `corpus` as a reviews file (one reviewer each); returns the count."""
    frame = load_corpus(corpus, data_dir()).to_pandas().sample(frac=1.0, random_state=5)
    lines = []
    for task, (_, row) in enumerate(frame.head(rows).iterrows(), start=1):
        annotation = {
            "id": task,
            "result": [{"from_name": "label", "value": {"choices": [row["label"]]}}],
        }
        review = parse_annotation(annotation, "bench", task)
        lines.append(resolve(task, row["text"], [review]).to_json())
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, "\n".join(lines) + "\n")
    return len(lines)


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, env={**os.environ, "TQDM_DISABLE": "1"})
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--corpus", default="gab_hate")
    parser.add_argument("--config", default="configs/retrain.yaml")
    parser.add_argument(
        "--release-splits", type=Path, required=True, help="the release's published dir"
    )
    parser.add_argument("--out", type=Path, default=Path("runs/bench-retrain"))
    args = parser.parse_args(argv)
    reviews = args.out.parent / f"{args.out.name}-reviews.jsonl"
    count = write_reviews(args.corpus, args.rows, reviews)
    with tempfile.TemporaryDirectory() as folder:
        published = Path(folder) / "published.txt"
        train_s = timed(
            [sys.executable, "-m", "training", "--config", args.config, "--reviews", str(reviews),
             "--published-to", str(published)]
        )  # fmt: skip
        model = Path(published.read_text(encoding="utf-8").strip())
    export_s = timed(
        [sys.executable, "-m", "training.export_onnx", "--model", str(model), "--dev-limit", "2000"]
    )
    versus = args.out.parent / f"{args.out.name}-versus"
    subprocess.run(
        [sys.executable, "-m", "evaluation", "versus", "--model", str(model), "--baseline",
         "release", "--splits", str(args.release_splits), "--exclude", str(model),
         "--out", str(versus)],
        check=True,
    )  # fmt: skip
    metrics = json.loads((model / "metrics.json").read_text())
    result = {
        "reviewed_rows": count,
        "corpus": args.corpus,
        "config": args.config,
        "model": str(model),
        "train_wall_seconds": round(train_s, 1),
        "export_wall_seconds": round(export_s, 1),
        "training": metrics["training"],
        "versus": json.loads(versus.with_suffix(".json").read_text()),
    }
    write_text(args.out.with_suffix(".json"), json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "versus"}, indent=1))
    print(versus.with_suffix(".md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
