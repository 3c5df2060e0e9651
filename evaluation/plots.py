"""The report's images: a confusion matrix per system and file, a reliability diagram for the
transformer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

# Figure without pyplot renders with the Agg canvas: no display and no global backend state.
from matplotlib.figure import Figure

from evaluation.tables import TRANSFORMER, Results
from rabat.labels import LABELS


def write_images(results: Results, out: Path) -> dict[str, dict[str, Path]]:
    """Confusion matrices for every system and a reliability diagram for the transformer."""
    images: dict[str, dict[str, Path]] = {}
    for key, systems in results.items():
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
        images[key] = {}
        for system, metrics in systems.items():
            path = out / f"{stem}_{system}_confusion.png"
            plot_confusion(np.asarray(metrics["confusion_matrix"]), f"{system} on {key}", path)
            images[key][system] = path
        if TRANSFORMER in systems:
            path = out / f"{stem}_{TRANSFORMER}_reliability.png"
            plot_reliability(systems[TRANSFORMER]["calibration"], f"{TRANSFORMER} on {key}", path)
            images[key]["reliability"] = path
    return images


def plot_confusion(matrix: np.ndarray, title: str, path: Path) -> None:
    """Counts annotated, colour by row share (the recall of each gold label)."""
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    fig = Figure(figsize=(4.6, 4.0))
    ax = fig.subplots()
    ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for (i, j), count in np.ndenumerate(matrix):
        colour = "white" if shares[i, j] > 0.6 else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=colour, fontsize=10)
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=30, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_reliability(calibration: dict[str, Any], title: str, path: Path) -> None:
    """Accuracy against confidence per bin, the diagonal, and how many texts fall in each bin."""
    bins = calibration["bins"]
    centres = [(b["lower"] + b["upper"]) / 2 for b in bins]
    width = bins[0]["upper"] - bins[0]["lower"]
    accuracy = [b["accuracy"] or 0.0 for b in bins]
    fig = Figure(figsize=(4.6, 5.0))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top.bar(centres, accuracy, width=width, edgecolor="black", color="#4a7fb5", label="accuracy")
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    top.set_ylabel("accuracy")
    top.set_ylim(0, 1)
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"{title} (ECE {calibration['ece']:.3f})", fontsize=10)
    bottom.bar(centres, [b["count"] for b in bins], width=width, color="grey")
    bottom.set_xlabel("top-label confidence")
    bottom.set_ylabel("texts")
    bottom.set_xlim(0, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
