"""The model's label probabilities on encoded rows or on texts, for scoring dev, test and the
functional suite."""

from __future__ import annotations

import numpy as np
import torch

from rabat.labels import LABELS
from rabat.model.backend import Backend
from rabat.model.network import MultiTaskModel
from training.batching import Encoded, collate


@torch.inference_mode()
def predict_probs(
    model: MultiTaskModel, data: Encoded, pad_id: int, batch_size: int = 128
) -> tuple[np.ndarray, np.ndarray]:
    """Label probabilities and pooled features (for the auxiliary heads) for every row, in row
    order, batched by length."""
    model.eval()
    device = next(model.parameters()).device
    order = sorted(range(len(data)), key=lambda i: len(data.input_ids[i]))
    probs = np.zeros((len(data), len(LABELS)), dtype=np.float32)
    pooled = np.zeros((len(data), model.target_head.in_features), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch = collate(data, rows, pad_id)
        logits, features = model.features(
            batch["input_ids"].to(device), batch["attention_mask"].to(device)
        )
        probs[rows] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        pooled[rows] = features.float().cpu().numpy()
    model.train()
    return probs, pooled


def probabilities(classifier: Backend, texts: list[str]) -> np.ndarray:
    """Label probabilities in LABELS order for `texts`."""
    return np.asarray([[p.scores[label] for label in LABELS] for p in classifier.predict(texts)])


def labels(classifier: Backend, texts: list[str]) -> list[str]:
    """Each text's label as the classifier decides it (its operating point, if it has one)."""
    return [found.label for found in classifier.predict(texts)]
