"""The multi-task loss: weighted cross-entropy on the label, masked BCE on the signals."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from rabat.labels import LABELS


def class_weights(labels: Sequence[int], scheme: str) -> torch.Tensor:
    """Per-label loss weights from training counts, normalised to mean 1.

    `inverse_sqrt` softens the imbalance (incitement is ~4% of rows) without letting a few hundred
    rows dominate the way plain `inverse` does.
    """
    counts = torch.bincount(torch.tensor(list(labels)), minlength=len(LABELS)).float().clamp(min=1)
    if scheme == "none":
        weights = torch.ones(len(LABELS))
    elif scheme == "inverse_sqrt":
        weights = counts.rsqrt()
    elif scheme == "inverse":
        weights = counts.reciprocal()
    else:
        raise ValueError(
            f"unknown class_weighting {scheme!r}: expected none, inverse_sqrt or inverse"
        )
    return weights * len(LABELS) / weights.sum()


def multitask_loss(
    out: dict[str, torch.Tensor],
    batch: dict[str, torch.Tensor],
    label_weights: torch.Tensor,
    aux_weight: float,
    evidence_weight: float = 0.0,
) -> torch.Tensor:
    """Main loss plus `aux_weight` times the masked auxiliary losses plus `evidence_weight`
    times the token evidence loss."""
    per_row = F.cross_entropy(
        out["label_logits"], batch["labels"], weight=label_weights, reduction="none"
    )
    main = (per_row * batch["weights"]).sum() / (
        label_weights[batch["labels"]] * batch["weights"]
    ).sum()
    if evidence_weight:
        main = main + evidence_weight * evidence_loss(out["evidence_logits"], batch["evidence"])
    if aux_weight == 0:
        return main
    return main + aux_weight * (_target_loss(out, batch) + _binary_loss(out, batch))


def evidence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Token BCE where the target is known (0 or 1; -1 is masked), averaged within each row
    first, so that a long unmarked text weighs as much as a short marked one."""
    known = targets >= 0
    rows = known.any(dim=1)
    if not rows.any():
        return logits.sum() * 0.0
    per_token = F.binary_cross_entropy_with_logits(
        logits, targets.clamp(min=0), reduction="none"
    ) * known.to(logits.dtype)
    per_row = per_token.sum(1)[rows] / known.sum(1)[rows].to(logits.dtype)
    return per_row.mean()


def _target_loss(out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]) -> torch.Tensor:
    known = batch["targets_known"]
    if not known.any():
        return out["target_logits"].sum() * 0.0
    return F.binary_cross_entropy_with_logits(out["target_logits"][known], batch["targets"][known])


def _binary_loss(out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]) -> torch.Tensor:
    known = batch["binary"] >= 0
    if not known.any():
        return out["binary_logits"].sum() * 0.0
    return F.binary_cross_entropy_with_logits(out["binary_logits"][known], batch["binary"][known])
