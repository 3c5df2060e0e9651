"""Load a saved model directory and predict labels, scores and auxiliary signals."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import torch
from transformers import AutoTokenizer

from rabat import language_shift
from rabat.integrity import check_model_files
from rabat.meta import ModelMeta
from rabat.model import MultiTaskModel
from rabat.prediction import Prediction
from rabat.windows import Rows, predict_in_length_order, predict_windows

__all__ = ["Classifier", "Prediction", "predict_in_length_order"]

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

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]:
        """Predict each text, in input order, in batches sorted by length.

        Texts are cleaned as in training (`rabat.text.clean`); a text longer than the model's
        window is read in windows (`rabat.windows`). A multilingual model's scores are shifted
        for each text's language (`rabat.language_shift`: `languages`, else detected).
        """
        found = predict_in_length_order(texts, self.batch_size, self._predict_batch)
        return language_shift.apply(self.meta, texts, found, languages)

    def _predict_batch(self, texts: list[str]) -> list[Prediction]:
        return predict_windows(
            texts, self.tokenizer, self.meta.max_length, self._run, self.batch_size
        )

    @torch.inference_mode()
    def _run(self, ids: list[list[int]]) -> tuple[Rows, Rows, Rows, Rows]:
        """Label, target-group, signal and token evidence probabilities for rows of token ids."""
        batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="pt")  # type: ignore[attr-defined]
        out = self.model(batch["input_ids"], batch["attention_mask"])
        probs = torch.softmax(out["label_logits"].float(), dim=-1).tolist()
        targets = torch.sigmoid(out["target_logits"].float()).tolist()
        binary = torch.sigmoid(out["binary_logits"].float()).tolist()
        evidence = torch.sigmoid(out["evidence_logits"].float()).tolist()
        return probs, targets, binary, evidence
