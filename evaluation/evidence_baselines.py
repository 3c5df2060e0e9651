"""Gradient x input, kept as the baseline the evidence head is measured against.

For each text, the chosen label's logit is differentiated with respect to the input embeddings;
gradient x embedding summed over the hidden size scores each token, and a word's score is the
highest of its tokens'. It was the service's evidence until the evidence head replaced it
(docs/evidence.md has both measured): one backward pass per text, and on HateXplain's
rationales it ranks words worse than the head.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from rabat.labels import LABELS
from rabat.model.evidence import to_raw_words, word_scores
from rabat.model.torch_backend import Classifier
from rabat.text.cleaning import clean_with_offsets


class GradientTimesInput:
    """Word scores by gradient x input on a torch `Classifier`, in the text as given."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier

    def word_scores(
        self, texts: Sequence[str], labels: Sequence[str]
    ) -> list[list[tuple[int, int, float]]]:
        """Per text, (start, end, score) for each word the model's window reads."""
        out: list[list[tuple[int, int, float]]] = []
        size = self.classifier.batch_size
        for start in range(0, len(texts), size):
            out += self._batch(
                list(texts[start : start + size]), list(labels[start : start + size])
            )
        return out

    def _batch(self, texts: list[str], labels: list[str]) -> list[list[tuple[int, int, float]]]:
        cleaned = [clean_with_offsets(text) for text in texts]
        enc = self.classifier.tokenizer(  # type: ignore[operator]
            [c for c, _ in cleaned],
            truncation=True,
            max_length=self.classifier.meta.max_length,
            padding=True,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        model = self.classifier.model
        with torch.enable_grad():
            embeds = model.encoder.get_input_embeddings()(enc["input_ids"]).detach()
            embeds.requires_grad_(True)
            logits = model(None, enc["attention_mask"], inputs_embeds=embeds)["label_logits"]
            chosen = torch.tensor([LABELS.index(label) for label in labels])
            target = logits.gather(1, chosen.unsqueeze(1)).sum()
            (grad,) = torch.autograd.grad(target, embeds)
        scores = (grad * embeds).sum(-1).detach()
        out = []
        for row, (clean, offset_map) in enumerate(cleaned):
            offsets = [tuple(pair) for pair in enc["offset_mapping"][row].tolist()]
            words = word_scores(clean, offsets, scores[row].tolist())
            out.append(to_raw_words(offset_map, words))
        return out
