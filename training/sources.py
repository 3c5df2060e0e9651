"""The rows a config asks for, corpus by corpus and the reviewed rows, with what the data
manifest says of each source and of their licences (training/dataset.py builds on them)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from rabat.labels import LABELS
from rabat.store.files import sha256
from training.config import TrainConfig
from training.corpora import load_corpus, recipe
from training.reviewed import SOURCE as REVIEW
from training.reviewed import load_reviews

logger = logging.getLogger(__name__)


def load_sources(
    config: TrainConfig, data_dir: Path
) -> tuple[list[pd.DataFrame], dict[str, Any], list[str]]:
    """Each configured corpus (thinned, limited, weighted) and the reviews, what the manifest
    says of each, and the corpora left out as non-commercial."""
    frames: list[pd.DataFrame] = []
    sources: dict[str, Any] = {}
    excluded: list[str] = []
    for name, weight in config.corpora.items():
        if recipe(name).commercial is False and not config.allow_noncommercial:
            logger.info(
                "leaving out %s (%s): allow_noncommercial is false", name, recipe(name).licence
            )
            excluded.append(name)
            continue
        frame = load_corpus(name, data_dir).to_pandas()
        if name in config.corpus_limits:
            frame = thin(frame, config.corpus_limits[name], config.split.seed)
        if config.limit_per_corpus is not None and len(frame) > config.limit_per_corpus:
            frame = frame.sample(n=config.limit_per_corpus, random_state=config.split.seed)
        frame["weight"] = weight
        frames.append(frame)
        sources[name] = {
            "weight": weight,
            "rows": len(frame),
            "rows_per_label": count_labels(frame),
            "files": {f: sha256(data_dir / f) for f in recipe(name).files},
            "licence": recipe(name).licence,
            "commercial_use": recipe(name).commercial,
            "language": recipe(name).language,
            "restriction": recipe(name).restriction,
        }
    if config.reviews:
        frame = load_reviews(config.reviews).to_pandas()
        frame["weight"] = config.review_weight
        frames.append(frame)
        sources[REVIEW] = {
            "weight": config.review_weight,
            "rows": len(frame),
            "rows_per_label": count_labels(frame),
            "files": {str(path): sha256(path) for path in config.reviews},
        }
    return frames, sources, excluded


def thin(frame: pd.DataFrame, most: int, seed: int) -> pd.DataFrame:
    """At most `most` rows: the rarest labels are kept whole, the commonest sampled down."""
    if len(frame) <= most:
        return frame
    counts = frame["label"].value_counts(ascending=True)
    kept, room = [], most
    for position, (label, count) in enumerate(counts.items()):
        share = room // (len(counts) - position)  # what is left, split over the labels left
        rows = frame[frame["label"] == label]
        take = min(count, share)
        kept.append(rows.sample(n=take, random_state=seed) if take < count else rows)
        room -= take
    return pd.concat(kept).sort_index()


def licence_summary(sources: dict[str, Any], excluded: list[str]) -> dict[str, Any]:
    """The licences of the data a model learnt from, and whether any forbids commercial use."""
    from training.corpora import RECIPES

    used = {
        name: (RECIPES[name].licence, RECIPES[name].commercial)
        for name in sources
        if name in RECIPES
    }
    return {
        "per_corpus": {name: licence for name, (licence, _) in used.items()},
        "noncommercial_corpora": sorted(n for n, (_, ok) in used.items() if ok is False),
        "unstated_licence_corpora": sorted(n for n, (_, ok) in used.items() if ok is None),
        "free_of_noncommercial_data": all(ok is not False for _, ok in used.values()),
        "excluded_noncommercial": excluded,
        "restrictions": {
            name: RECIPES[name].restriction for name in used if RECIPES[name].restriction
        },
    }


def count_labels(frame: pd.DataFrame) -> dict[str, int]:
    """Rows per label, every label named (0 when absent)."""
    counts = frame["label"].value_counts()
    return {label: int(counts.get(label, 0)) for label in LABELS}
