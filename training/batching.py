"""Tokenised splits and the batch plan: length-grouped, shuffled by seed, padded per batch."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd
import torch

from rabat.labels import LABELS
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS, UNKNOWN
from training.corpora.base import unflatten_spans

LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}
GROUP_INDEX = {group: i for i, group in enumerate(TARGET_GROUPS)}


@dataclass(frozen=True)
class Encoded:
    """A split as token ids and training targets, row-aligned."""

    input_ids: list[list[int]]
    labels: torch.Tensor  # (n,)
    weights: torch.Tensor  # (n,) corpus loss weights
    targets: torch.Tensor  # (n, groups) multi-hot
    targets_known: torch.Tensor  # (n,) bool
    binary: torch.Tensor  # (n, signals), -1 where unknown
    # per row, per token: 1 a word that carries the label, 0 not, -1 unknown (special tokens,
    # rows nobody marked); aligned with input_ids
    evidence: list[list[int]]

    def __len__(self) -> int:
        return len(self.input_ids)


def encode(frame: pd.DataFrame, tokenizer: object, max_length: int) -> Encoded:
    """Tokenise a split (truncating to `max_length`) and tensorise its targets."""
    found = tokenizer(  # type: ignore[operator]
        frame["text"].tolist(),
        truncation=True,
        max_length=max_length,
        return_offsets_mapping=True,
    )
    ids = found["input_ids"]
    known = frame["evidence_known"] if "evidence_known" in frame else [False] * len(frame)
    spans = frame["evidence"] if "evidence" in frame else [[]] * len(frame)
    evidence = [
        token_evidence(offsets, list(pairs)) if is_known else [UNKNOWN] * len(offsets)
        for offsets, pairs, is_known in zip(found["offset_mapping"], spans, known, strict=True)
    ]
    targets = torch.zeros(len(frame), len(TARGET_GROUPS))
    for row, groups in enumerate(frame["targets"]):
        for group in groups:
            targets[row, GROUP_INDEX[group]] = 1.0
    return Encoded(
        input_ids=ids,
        labels=torch.tensor([LABEL_INDEX[x] for x in frame["label"]]),
        weights=torch.tensor(frame["weight"].to_numpy(dtype="float32")),
        targets=targets,
        targets_known=torch.tensor(frame["targets_known"].to_numpy(dtype=bool)),
        binary=torch.tensor(frame[list(BINARY_SIGNALS)].to_numpy(dtype="float32")),
        evidence=evidence,
    )


def token_evidence(offsets: list[tuple[int, int]], pairs: list[int]) -> list[int]:
    """1 for each token overlapping a marked [start, end) (flattened `pairs`), 0 for the other
    text tokens, -1 for special tokens (empty offsets)."""
    spans = unflatten_spans(pairs)
    return [
        UNKNOWN if end <= start else int(any(s < end and start < e for s, e in spans))
        for start, end in offsets
    ]


def plan_batches(
    lengths: list[int], batch_size: int, group_size: int, seed: int
) -> list[list[int]]:
    """Shuffle, sort by length inside buckets of `group_size` batches, shuffle the batches.

    Similar lengths share a batch (little padding) while the order stays random; the same seed
    gives the same plan, which is what lets an interrupted epoch resume where it stopped.
    """
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    bucket = batch_size * group_size
    batches: list[list[int]] = []
    for start in range(0, len(order), bucket):
        chunk = sorted(order[start : start + bucket], key=lengths.__getitem__)
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def collate(data: Encoded, rows: list[int], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad one batch to its longest row."""
    width = max(len(data.input_ids[i]) for i in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    evidence = torch.full((len(rows), width), float(UNKNOWN))
    for r, i in enumerate(rows):
        seq = data.input_ids[i]
        ids[r, : len(seq)] = torch.tensor(seq)
        mask[r, : len(seq)] = 1
        evidence[r, : len(seq)] = torch.tensor(data.evidence[i], dtype=torch.float32)
    index = torch.tensor(rows)
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "labels": data.labels[index],
        "weights": data.weights[index],
        "targets": data.targets[index],
        "targets_known": data.targets_known[index],
        "binary": data.binary[index],
        "evidence": evidence,
    }
