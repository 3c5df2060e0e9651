"""What the torch and ONNX backends share: the model's identity, batching by length, long texts
read in windows and the per-language shift. A backend adds only how it runs rows of token ids
(`_run`); `rabat.model.loader` picks one."""

from __future__ import annotations

from collections.abc import Sequence

from rabat.model import language_shift, operating_point
from rabat.model.meta import ModelMeta
from rabat.model.prediction import Prediction
from rabat.model.windows import Rows, predict_in_length_order, predict_windows
from rabat.text.language import detect_batch


class Backend:
    """A loaded model that predicts; `Classifier` (torch) and `OnnxClassifier` run it."""

    def __init__(self, tokenizer: object, meta: ModelMeta, batch_size: int = 32) -> None:
        self.tokenizer = tokenizer
        self.meta = meta
        self.batch_size = batch_size

    @property
    def version(self) -> str:
        return self.meta.version

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]:
        """Predict each text, in input order, in batches sorted by length.

        Texts are cleaned as in training (`rabat.text.cleaning.clean`); a text longer than the
        model's window is read in windows (`rabat.model.windows`). A multilingual model's scores
        are shifted for each text's language (`rabat.model.language_shift`) and its label decided
        by the model's operating point for that language (`rabat.model.operating_point`), the
        language being `languages`, else detected.
        """
        found = predict_in_length_order(texts, self.batch_size, self._predict_batch)
        if not self.meta.reads_language:
            return found
        codes = [f.code for f in detect_batch(texts)] if languages is None else list(languages)
        found = language_shift.apply(self.meta, texts, found, codes)
        return operating_point.apply(self.meta.operating_point, found, codes)

    def _predict_batch(self, texts: list[str]) -> list[Prediction]:
        by_mass = self.meta.operating_point is not None
        return predict_windows(
            texts, self.tokenizer, self.meta.max_length, self._run, self.batch_size, by_mass
        )

    def _run(self, ids: list[list[int]]) -> tuple[Rows, Rows, Rows, Rows]:
        """Label, target-group, signal and token evidence probabilities for rows of token ids."""
        raise NotImplementedError(f"{type(self).__name__} must say how it runs the model")
