"""What pays in the release recipe: dev macro-F1, incitement F1 and each language's functional
suite against training time, for epochs x frozen layers x `max_length`.

    python -m training.curve --config configs/release.yaml --rows 6000 --out docs/curve

Every point trains the config's encoder on the same sample of its training split (`--rows`)
for `--epochs` epochs under one schedule and is scored after each epoch (epochs 1, 2, 3 of a
3-epoch schedule: the learning rate has not decayed to 0 at epochs 1 and 2). Scores are the raw
argmax, before the label-prior correction that publication folds in, the same for every point.
Results go to `<out>/curve.json` point by point, so a killed run resumes where it stopped;
`<out>/curve.md` and `<out>/curve.png` are written from them.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from transformers import AutoTokenizer

from rabat.labels import LABELS
from rabat.model.loader import torch_classifier
from rabat.model.network import MultiTaskModel
from rabat.store.files import write_text
from training import checkpoint
from training.batching import encode
from training.config import TrainConfig, base_model_path, load_config
from training.dataset import build
from training.functional.suite import LANGUAGES, build_all, score
from training.inference import labels, predict_probs
from training.metrics import argmax_labels, compute_metrics
from training.train import freeze, make_loop, model_meta, run_epoch

logger = logging.getLogger(__name__)

# (frozen layers, max_length): one factor at a time around (2, 96)
POINTS: tuple[tuple[int, int], ...] = ((6, 96), (2, 96), (0, 96), (2, 160))


def sample_rows(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """`rows` rows drawn at random (all of them when there are fewer), in a fixed order."""
    if len(frame) <= rows:
        return frame.reset_index(drop=True)
    return frame.sample(n=rows, random_state=seed).reset_index(drop=True)


def point_key(frozen: int, max_length: int) -> str:
    return f"frozen{frozen}-len{max_length}"


def fresh_model(config: TrainConfig) -> tuple[Any, MultiTaskModel]:
    """The config's base encoder with new heads, frozen as its `train` section says."""
    base = base_model_path(config.base_model, config.output_dir)
    model = MultiTaskModel.from_base(base)
    model.detach_aux = config.train.aux_detach
    freeze(model, config.train.freeze_layers)
    return AutoTokenizer.from_pretrained(base), model


def run_point(
    config: TrainConfig,
    train_frame: pd.DataFrame,
    dev_frame: pd.DataFrame,
    suites: dict[str, list[Any]],
    frozen: int,
    max_length: int,
    epochs: int,
) -> list[dict[str, Any]]:
    """Train one point for `epochs` epochs; the scores after each."""
    params = config.train.model_copy(
        update={
            "epochs": epochs,
            "freeze_layers": frozen,
            "max_length": max_length,
            "checkpoint_every": 10**9,
        }
    )
    config = config.model_copy(update={"train": params})
    torch.manual_seed(config.train.seed)
    tokenizer, model = fresh_model(config)
    train_set = encode(train_frame, tokenizer, max_length)
    dev_set = encode(dev_frame, tokenizer, max_length)
    loop = make_loop(config, model, train_set, tokenizer.pad_token_id)
    progress = checkpoint.Progress(version="curve", dev_history=[])
    classifier = torch_classifier(model, tokenizer, model_meta(config, "curve"), batch_size=64)
    out = []
    while progress.epoch < epochs:
        run_epoch(config, Path("runs/curve-unused"), progress, loop, train_set)
        probs, _ = predict_probs(model, dev_set, tokenizer.pad_token_id)
        row = {
            "frozen_layers": frozen,
            "max_length": max_length,
            "epoch": progress.epoch + 1,
            "train_seconds": round(progress.train_seconds, 1),
            "samples_per_second": round(progress.samples / progress.train_seconds, 1),
            **dev_scores(dev_frame, probs),
            "functional": suite_scores(suites, lambda texts: labels(classifier, texts)),
        }
        logger.info("%s", json.dumps(row))
        out.append(row)
        model.train()
        progress.epoch += 1
        progress.batch = 0
    return out


def speed(
    config: TrainConfig, train_frame: pd.DataFrame, frozen: int, max_length: int, batches: int
) -> float:
    """Training samples/s of one point over `batches` batches after 3 of warm-up: the time axis
    of the curve when its epochs ran beside other work (run it on quiet cores)."""
    params = config.train.model_copy(
        update={"freeze_layers": frozen, "max_length": max_length, "checkpoint_every": 10**9}
    )
    config = config.model_copy(update={"train": params})
    tokenizer, model = fresh_model(config)
    rows = (batches + 3) * config.train.batch_size
    train_set = encode(train_frame.head(rows), tokenizer, max_length)
    loop = make_loop(config, model, train_set, tokenizer.pad_token_id)
    warm = checkpoint.Progress(version="speed", dev_history=[])
    warm_set = encode(train_frame.head(3 * config.train.batch_size), tokenizer, max_length)
    run_epoch(config, Path("runs/curve-unused"), warm, loop, warm_set)
    timed = checkpoint.Progress(version="speed", dev_history=[])
    run_epoch(config, Path("runs/curve-unused"), timed, loop, train_set)
    return timed.samples / timed.train_seconds


def dev_scores(dev_frame: pd.DataFrame, probs: np.ndarray) -> dict[str, float]:
    found = compute_metrics(
        list(dev_frame["label"]), argmax_labels(probs), probs, list(dev_frame["source"])
    )
    incitement = found["per_label"]["incitement"]["f1"]
    return {"dev_macro_f1": found["macro_f1"], "incitement_f1": incitement or 0.0}


def suite_scores(
    suites: dict[str, list[Any]], predict: Callable[[list[str]], Sequence[str]]
) -> dict[str, float]:
    return {language: score(cases, predict)["overall"] for language, cases in suites.items()}


def table(rows: Sequence[dict[str, Any]], speeds: dict[str, Any] | None = None) -> str:
    """The curve as a markdown table, one row per point and epoch; with `speeds` (quiet-core
    samples/s per point), the minutes the epochs so far would take on the full split."""
    languages = sorted({code for row in rows for code in row["functional"]})
    head = ["frozen", "max_length", "epoch", "minutes", "samples/s", "dev macro-F1", "incit. F1"]
    if speeds:
        head += ["quiet samples/s", "full-split minutes"]
    lines = ["| " + " | ".join(head + [f"suite {c}" for c in languages]) + " |"]
    lines.append("|" + "---|" * (len(head) + len(languages)))
    for row in rows:
        cells = [
            str(row["frozen_layers"]),
            str(row["max_length"]),
            str(row["epoch"]),
            f"{row['train_seconds'] / 60:.1f}",
            f"{row['samples_per_second']:.1f}",
            f"{row['dev_macro_f1']:.3f}",
            f"{row['incitement_f1']:.3f}",
        ]
        if speeds:
            rate = speeds[point_key(row["frozen_layers"], row["max_length"])]
            cells += [
                f"{rate['samples_per_second']:.1f}",
                f"{rate['full_epoch_minutes'] * row['epoch']:.0f}",
            ]
        cells += [f"{row['functional'].get(c, float('nan')):.3f}" for c in languages]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """Dev macro-F1, incitement F1 and the mean functional suite against training minutes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = (
        ("dev macro-F1", lambda r: r["dev_macro_f1"]),
        ("incitement F1", lambda r: r["incitement_f1"]),
        (
            "functional suites (mean of languages)",
            lambda r: float(np.mean(list(r["functional"].values()))),
        ),
    )
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    keys = sorted({(r["frozen_layers"], r["max_length"]) for r in rows})
    for axis, (title, value) in zip(axes, panels, strict=True):
        for frozen, length in keys:
            points = [r for r in rows if (r["frozen_layers"], r["max_length"]) == (frozen, length)]
            axis.plot(
                [r["train_seconds"] / 60 for r in points],
                [value(r) for r in points],
                marker="o",
                label=f"frozen {frozen}, len {length}",
            )
            for r in points:
                axis.annotate(f"e{r['epoch']}", (r["train_seconds"] / 60, value(r)), fontsize=7)
        axis.set_title(title)
        axis.set_xlabel("training minutes (2 CPU cores)")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.curve", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("configs/release.yaml"))
    parser.add_argument("--rows", type=int, default=6000, help="training rows per point")
    parser.add_argument("--dev-rows", type=int, default=2000, help="dev rows scored per epoch")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("docs/curve"))
    parser.add_argument(
        "--speed",
        type=int,
        default=0,
        metavar="BATCHES",
        help="instead of the curve: each point's training samples/s over BATCHES batches "
        "(on quiet cores), into <out>/curve_speed.json, and the table's full-epoch minutes",
    )
    parser.add_argument(
        "--points",
        default=",".join(f"{f}:{n}" for f, n in POINTS),
        help="frozen:max_length pairs, comma-separated",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = load_config(args.config)
    torch.set_num_threads(config.train.threads)
    data = build(config)
    train_frame = sample_rows(data.splits["train"], args.rows, config.split.seed)
    dev_frame = sample_rows(data.splits["dev"], args.dev_rows, config.split.seed)
    suites = build_all(config.resolved_data_dir(), LANGUAGES)
    if args.speed:
        return measure_speed(config, data, train_frame, args)
    results_path = args.out / "curve.json"
    done: list[dict[str, Any]] = (
        json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else []
    )
    for pair in args.points.split(","):
        frozen, length = (int(x) for x in pair.split(":"))
        if any((r["frozen_layers"], r["max_length"]) == (frozen, length) for r in done):
            logger.info("%s already measured", point_key(frozen, length))
            continue
        started = time.perf_counter()
        done += run_point(config, train_frame, dev_frame, suites, frozen, length, args.epochs)
        logger.info("%s took %.0f s", point_key(frozen, length), time.perf_counter() - started)
        meta = {"config": str(args.config), "rows": len(train_frame), "dev_rows": len(dev_frame)}
        args.out.mkdir(parents=True, exist_ok=True)
        write_text(results_path, json.dumps(done, indent=1))
        write_text(args.out / "curve_meta.json", json.dumps({**meta, "labels": list(LABELS)}))
        write_text(args.out / "curve.md", table(done))
        plot(done, args.out / "curve.png")
    return 0


def measure_speed(config: TrainConfig, data: Any, train_frame: pd.DataFrame, args: Any) -> int:
    """Each point's samples/s on quiet cores, and the minutes of one epoch of the full split."""
    found = {}
    for pair in args.points.split(","):
        frozen, length = (int(x) for x in pair.split(":"))
        rate = speed(config, train_frame, frozen, length, args.speed)
        found[point_key(frozen, length)] = {
            "samples_per_second": round(rate, 1),
            "full_epoch_minutes": round(len(data.splits["train"]) / rate / 60, 1),
            "full_train_rows": len(data.splits["train"]),
        }
        logger.info("%s: %.1f samples/s", point_key(frozen, length), rate)
    write_text(args.out / "curve_speed.json", json.dumps(found, indent=1))
    results_path = args.out / "curve.json"
    if results_path.is_file():
        write_text(args.out / "curve.md", table(json.loads(results_path.read_text()), found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
