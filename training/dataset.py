"""Build the training data: load the configured corpora, deduplicate across them, split, cap.

Duplicates (equal `rabat.text.cleaning.dedup_key`) are merged: the label by majority over the
copies, a tie going to the more severe label (a reviewer would rather see it); known signals are
kept.
Reviewed rows (`reviews` in the config) join as source `review`, and where a reviewed text has
corpus copies, the reviewers' label wins.
The split is stratified by label and corpus and depends only on the rows and the seed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import pandas as pd
from sklearn.model_selection import train_test_split

from rabat.labels import LABELS
from rabat.signals import UNKNOWN
from rabat.store.files import staged_dir
from rabat.text.cleaning import dedup_key
from training.augment import (
    contrastive_rows,
    corpus_none_copies,
    identity_mentions,
    obfuscate_rows,
)
from training.config import TrainConfig
from training.corpora import DEFAULT_LANGUAGE
from training.replay import replay
from training.reviewed import SOURCE as REVIEW
from training.sampling import sample_languages
from training.sources import count_labels, licence_summary, load_sources

logger = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")


@dataclass
class BuiltData:
    """The three splits (pandas frames with the unified columns plus `weight`) and a manifest."""

    splits: dict[str, pd.DataFrame]
    manifest: dict[str, Any] = field(default_factory=dict)


def build(config: TrainConfig) -> BuiltData:
    """Load, deduplicate, split and cap the corpora named in `config`."""
    data_dir = config.resolved_data_dir()
    frames, sources, excluded = load_sources(config, data_dir)
    merged, duplicates = deduplicate(pd.concat(frames, ignore_index=True))
    splits = split(merged, config)
    splits["train"] = cap(
        splits["train"],
        config.train_caps,
        config.split.seed,
        config.capped_languages,
        config.language_caps,
    )
    sampling = config.language_sampling
    if sampling is not None:
        splits["train"] = sample_languages(
            splits["train"], sampling.alpha, sampling.total, config.split.seed, sampling.max_repeats
        )
    if config.replay_rows is not None:
        splits["train"] = replay(splits["train"], config.replay_rows, config.split.seed)
    if config.replay_eval_rows is not None:
        for name in ("dev", "test"):
            splits[name] = replay(
                splits[name], config.replay_eval_rows, config.split.seed, english_only=True
            )
    splits["train"], augmented = augment(splits["train"], config)
    manifest = {
        "data_dir": str(data_dir),
        "sources": sources,
        "licences": licence_summary(sources, excluded),
        "deduplication": duplicates,
        "split": config.split.model_dump(),
        "train_caps": config.train_caps,
        "capped_languages": config.capped_languages,
        "language_caps": config.language_caps,
        "language_sampling": sampling.model_dump() if sampling else None,
        "augmentation": augmented,
        "rows_per_label": {name: count_labels(frame) for name, frame in splits.items()},
        "rows_per_source": {
            name: frame["source"].value_counts().to_dict() for name, frame in splits.items()
        },
        "evidence": {name: evidence_counts(frame) for name, frame in splits.items()},
    }
    return BuiltData(splits, manifest)


def augment(frame: pd.DataFrame, config: TrainConfig) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Obfuscate a share of the training rows and add contrastive rows (training/augment.py)."""
    params = config.augment
    out = obfuscate_rows(frame, params.obfuscate_fraction, params.seed)
    changed = out["text"] != frame["text"]
    obfuscated = int(changed.sum())
    # A respelt text's rationale offsets no longer fit it (a `none` text's empty one still does).
    respelt = changed & (out["label"] != "none")
    out["evidence_known"] = out["evidence_known"] & ~respelt
    out["evidence"] = [[] if r else list(e) for r, e in zip(respelt, out["evidence"], strict=True)]
    made = pd.concat(
        [
            contrastive_rows(frame, params.contrastive_rows, params.seed),
            identity_mentions(out, params.identity_none_copies),
            corpus_none_copies(out, params.none_copies),
        ],
        ignore_index=True,
    )
    if not made.empty:
        made["weight"] = 1.0
        made["key"] = made["text"].map(dedup_key)
        made["evidence"] = [[] for _ in range(len(made))]
        made["evidence_known"] = made["label"] == "none"  # as `finalise` says of any none text
        out = pd.concat([out, made], ignore_index=True)
    summary = {**params.model_dump(), "rows_obfuscated": obfuscated, "rows_added": len(made)}
    return out, summary


def evidence_counts(frame: pd.DataFrame) -> dict[str, Any]:
    """What the evidence head learns from in one split: rows with rationales, and of those
    the ones with marked words, per source."""
    known = frame[frame["evidence_known"]]
    marked = known[known["evidence"].map(len) > 0]
    return {
        "rows_known": len(known),
        "rows_marked": len(marked),
        "rows_marked_per_source": marked["source"].value_counts().to_dict(),
    }


def deduplicate(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Merge rows with equal dedup keys; returns the rows and counts of what was merged."""
    frame = frame.assign(key=frame["text"].map(dedup_key))
    sizes = frame.groupby("key")["key"].transform("size")
    single = frame[sizes == 1]
    merged = [_merge_group(group) for _, group in frame[sizes > 1].groupby("key", sort=False)]
    conflicts = sum(1 for row in merged if row.pop("conflict"))
    overrides = sum(1 for row in merged if row.pop("override"))
    out = pd.concat([single, pd.DataFrame(merged, columns=frame.columns)], ignore_index=True)
    stats = {
        "rows_in": len(frame),
        "rows_out": len(out),
        "duplicate_groups": len(merged),
        "label_conflicts": conflicts,
        "review_overrides": overrides,
    }
    logger.info("deduplicated %d rows to %d (%d label conflicts)", len(frame), len(out), conflicts)
    return out.sort_values("key", kind="stable").reset_index(drop=True), stats


def _merge_group(group: pd.DataFrame) -> dict[str, Any]:
    reviewed = group[group["source"] == REVIEW]
    voters = reviewed if len(reviewed) else group  # reviewers overrule the corpora
    votes = Counter(voters["label"])
    top = max(votes.values())
    label = max((lab for lab, n in votes.items() if n == top), key=LABELS.index)
    winners = voters[voters["label"] == label]
    first = winners.iloc[0].to_dict()
    known_targets = winners[winners["targets_known"]]
    first["targets"] = sorted({t for ts in known_targets["targets"] for t in ts})
    first["targets_known"] = bool(len(known_targets))
    for signal in ("call_to_violence", "dehumanisation"):
        first[signal] = (
            int(winners[signal].max()) if (winners[signal] != UNKNOWN).any() else UNKNOWN
        )
    known_evidence = winners[winners["evidence_known"]]
    if len(known_evidence):  # the marks index their own row's text: keep both together
        first["text"] = known_evidence.iloc[0]["text"]
        first["evidence"] = known_evidence.iloc[0]["evidence"]
        first["evidence_known"] = True
    first["weight"] = float(voters["weight"].max())  # a reviewed text keeps review_weight
    first["conflict"] = len(votes) > 1
    first["override"] = bool(len(reviewed)) and bool((group["label"] != label).any())
    return first


def split(frame: pd.DataFrame, config: TrainConfig) -> dict[str, pd.DataFrame]:
    """Deterministic split stratified by label and source (rare strata by label only). Rows
    with a `group` (one source document's translations) follow their group, as a whole."""
    if "group" not in frame:
        frame = frame.assign(group="")
    grouped = frame["group"].fillna("") != ""
    by_row = _split_rows(frame[~grouped], config) if (~grouped).any() else {}
    by_group = split_groups(frame[grouped], config.split.seed, config.split.dev, config.split.test)
    return {
        name: pd.concat([by_row.get(name, frame.iloc[0:0]), by_group[name]], ignore_index=True)
        for name in SPLITS
    }


def split_groups(frame: pd.DataFrame, seed: int, dev: float, test: float) -> dict[str, Any]:
    """Each group to one split, by a hash of its name and the seed (stable as rows change)."""
    share = frame["group"].map(
        lambda g: int(hashlib.sha256(f"{seed}:{g}".encode()).hexdigest()[:12], 16) / 16**12
    )
    return {
        "test": frame[share < test].reset_index(drop=True),
        "dev": frame[(share >= test) & (share < test + dev)].reset_index(drop=True),
        "train": frame[share >= test + dev].reset_index(drop=True),
    }


def _split_rows(frame: pd.DataFrame, config: TrainConfig) -> dict[str, pd.DataFrame]:
    seed, dev, test = config.split.seed, config.split.dev, config.split.test
    strata = frame["label"] + "/" + frame["source"]
    counts = strata.map(strata.value_counts())
    strata = strata.where(counts >= 10, frame["label"])
    # a label with a single row (tiny runs) cannot be stratified: it joins the largest stratum
    strata = strata.where(strata.map(strata.value_counts()) >= 2, strata.mode().iloc[0])
    rest, test_rows = train_test_split(frame, test_size=test, random_state=seed, stratify=strata)
    train_rows, dev_rows = train_test_split(
        rest, test_size=dev / (1 - test), random_state=seed, stratify=strata.loc[rest.index]
    )
    return {
        "train": train_rows.reset_index(drop=True),
        "dev": dev_rows.reset_index(drop=True),
        "test": test_rows.reset_index(drop=True),
    }


def cap(
    frame: pd.DataFrame,
    caps: dict[str, int],
    seed: int,
    languages: list[str] | None = None,
    language_caps: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Keep at most `caps[label]` training rows per label, sampled without replacement; with
    `languages`, only rows in those languages are capped that way, and each other language is
    capped on its own by `language_caps` (kept whole without them)."""
    if languages is None:
        return _sort(_cap_labels(frame, caps, seed))
    language = frame["language"].fillna(DEFAULT_LANGUAGE)
    capped = language.isin(languages)
    parts = [_cap_labels(frame[capped], caps, seed)]
    for _, rows in frame[~capped].groupby(language[~capped], sort=False):
        parts.append(_cap_labels(rows, language_caps or {}, seed))
    return _sort(pd.concat(parts))


def _cap_labels(frame: pd.DataFrame, caps: dict[str, int], seed: int) -> pd.DataFrame:
    parts = [frame.iloc[:0]]
    for label, rows in frame.groupby("label", sort=False):
        limit = caps.get(str(label))
        parts.append(
            rows if limit is None or len(rows) <= limit else rows.sample(n=limit, random_state=seed)
        )
    return pd.concat(parts)


def _sort(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("key", kind="stable").reset_index(drop=True)


def write_splits(data: BuiltData, out_dir: Path) -> None:
    """Write each split as JSONL (text, label, source, signals) for evaluation and baselines;
    the folder is replaced whole, or not at all."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with staged_dir(out_dir) as tmp:
        _write_split_files(data, tmp)


def _write_split_files(data: BuiltData, out_dir: Path) -> None:
    for name, frame in data.splits.items():
        columns = [
            "text",
            "label",
            "source",
            "targets",
            "targets_known",
            "call_to_violence",
            "dehumanisation",
            "evidence",
            "evidence_known",
            "language",
        ]
        if "language" not in frame:
            frame = frame.assign(language=DEFAULT_LANGUAGE)
        frame[columns].to_json(
            out_dir / f"{name}.jsonl", orient="records", lines=True, force_ascii=False
        )


def to_hf(frame: pd.DataFrame) -> datasets.Dataset:
    """A `datasets.Dataset` view of a split, for tokenisation."""
    return datasets.Dataset.from_pandas(frame.reset_index(drop=True), preserve_index=False)
