"""Load a saved model directory and predict labels, scores and auxiliary signals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from transformers import AutoTokenizer

from rabat.integrity import check_model_files
from rabat.labels import LABELS
from rabat.model import ModelMeta, MultiTaskModel
from rabat.prediction import Prediction
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS
from rabat.text import clean

__all__ = ["Classifier", "Prediction"]

logger = logging.getLogger(__name__)


class Classifier:
    """A trained Rabat model. `Classifier.load(model_dir).predict(["some text"])`."""

    def __init__(
        self, model: MultiTaskModel, tokenizer: object, meta: ModelMeta, batch_size: int = 32
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.meta = meta
        self.batch_size = batch_size

    @classmethod
    def load(cls, model_dir: str | Path, batch_size: int = 32) -> Classifier:
        """Load a model directory written by `make train`; fails loudly on a label mismatch."""
        path = Path(model_dir)
        if not path.is_dir():
            raise FileNotFoundError(
                f"model directory {path} does not exist: train one with `make train` "
                "or point to the directory training wrote (models/<name>/<version>)."
            )
        check_model_files(path)  # a damaged file is named here, not deep in a library
        meta = ModelMeta.read(path)
        model = MultiTaskModel.load(path)
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        logger.info("loaded model %s from %s", meta.version, path)
        return cls(model, tokenizer, meta, batch_size=batch_size)

    @property
    def version(self) -> str:
        return self.meta.version

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Predict each text, in input order, in batches sorted by length.

        Texts are cleaned as in training (`rabat.text.clean`); a text longer than the model's
        window is cut to it and flagged `truncated`.
        """
        return predict_in_length_order(texts, self.batch_size, self._predict_batch)

    @torch.inference_mode()
    def _predict_batch(self, texts: list[str]) -> list[Prediction]:
        ids, truncated = self._encode(texts)
        batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="pt")  # type: ignore[attr-defined]
        out = self.model(batch["input_ids"], batch["attention_mask"])
        probs = torch.softmax(out["label_logits"].float(), dim=-1).tolist()
        targets = torch.sigmoid(out["target_logits"].float()).tolist()
        binary = torch.sigmoid(out["binary_logits"].float()).tolist()
        return to_predictions(probs, targets, binary, truncated)

    def _encode(self, texts: list[str]) -> tuple[list[list[int]], list[bool]]:
        """Token ids cut to the model's window (keeping the closing special token), and flags."""
        return encode(self.tokenizer, texts, self.meta.max_length)


def predict_in_length_order(
    texts: Sequence[str],
    batch_size: int,
    predict_batch: Callable[[list[str]], list[Prediction]],
) -> list[Prediction]:
    """Clean `texts`, run `predict_batch` on length-sorted batches, return input order."""
    if isinstance(texts, str):
        raise TypeError("predict() takes a list of texts, not a single string: wrap it in [].")
    texts = [clean(text) for text in texts]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    results: dict[int, Prediction] = {}
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        for i, pred in zip(idx, predict_batch([texts[i] for i in idx]), strict=True):
            results[i] = pred
    return [results[i] for i in range(len(texts))]


def encode(
    tokenizer: object, texts: list[str], max_length: int
) -> tuple[list[list[int]], list[bool]]:
    """Token ids cut to `max_length` (keeping the closing special token), and truncation flags."""
    encoded = tokenizer(texts, truncation=False, verbose=False)["input_ids"]  # type: ignore[operator]
    ids = [seq if len(seq) <= max_length else seq[: max_length - 1] + seq[-1:] for seq in encoded]
    return ids, [len(seq) > max_length for seq in encoded]


def to_predictions(
    probs: list[list[float]],
    targets: list[list[float]],
    binary: list[list[float]],
    truncated: list[bool],
) -> list[Prediction]:
    """Predictions from per-row label probabilities and target-group and signal probabilities."""
    preds = []
    for row, tgt, bin_, cut in zip(probs, targets, binary, truncated, strict=True):
        best = max(range(len(LABELS)), key=row.__getitem__)
        signals = dict(zip(BINARY_SIGNALS, bin_, strict=True))
        preds.append(
            Prediction(
                label=LABELS[best],
                scores=dict(zip(LABELS, row, strict=True)),
                target_groups=dict(zip(TARGET_GROUPS, tgt, strict=True)),
                call_to_violence=signals["call_to_violence"],
                dehumanisation=signals["dehumanisation"],
                truncated=cut,
            )
        )
    return preds
