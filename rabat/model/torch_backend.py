"""Load a saved model directory and predict labels, scores and auxiliary signals."""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from transformers import AutoTokenizer

from rabat.model.backend import Backend
from rabat.model.integrity import check_model_files
from rabat.model.meta import ModelMeta
from rabat.model.network import MultiTaskModel
from rabat.model.prediction import Prediction
from rabat.model.windows import Rows, predict_in_length_order

__all__ = ["Classifier", "Prediction", "predict_in_length_order"]

logger = logging.getLogger(__name__)


class Classifier(Backend):
    """A trained Rabat model. `Classifier.load(model_dir).predict(["some text"])`."""

    def __init__(
        self, model: MultiTaskModel, tokenizer: object, meta: ModelMeta, batch_size: int = 32
    ) -> None:
        super().__init__(tokenizer, meta, batch_size)
        self.model = model.eval()

    @classmethod
    def load(cls, model_dir: str | Path, batch_size: int = 32) -> Classifier:
        """Load a model directory written by `make train`; fails loudly on a label mismatch."""
        path = Path(model_dir)
        if not path.is_dir():
            raise FileNotFoundError(
                f"model directory {path} does not exist: `make run` installs the released "
                "model as models/rabat-release/latest, or point to a directory training wrote "
                "(models/<name>/<version>)."
            )
        check_model_files(path)  # a damaged file is named here, not deep in a library
        meta = ModelMeta.read(path)
        model = MultiTaskModel.load(path)
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        logger.info("loaded model %s from %s", meta.version, path)
        return cls(model, tokenizer, meta, batch_size=batch_size)

    @torch.inference_mode()
    def _run(self, ids: list[list[int]]) -> tuple[Rows, Rows, Rows, Rows]:
        batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="pt")  # type: ignore[attr-defined]
        out = self.model(batch["input_ids"], batch["attention_mask"])
        probs = torch.softmax(out["label_logits"].float(), dim=-1).tolist()
        targets = torch.sigmoid(out["target_logits"].float()).tolist()
        binary = torch.sigmoid(out["binary_logits"].float()).tolist()
        evidence = torch.sigmoid(out["evidence_logits"].float()).tolist()
        return probs, targets, binary, evidence
