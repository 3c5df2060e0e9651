"""Evidence spans: the words that drove a prediction, by gradient x input on the fine-tuned model.

For each text, the chosen label's logit is differentiated with respect to the input embeddings;
gradient x embedding summed over the hidden size scores each token, tokens are summed into the
words they belong to, and the words carrying the largest positive shares are returned with
character offsets into the text exactly as the caller sent it. One forward and one backward pass
per batch (the cost is measured by `make bench`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from rabat.classifier import Classifier
from rabat.labels import HATEFUL, LABELS
from rabat.markers import Span
from rabat.text import OffsetMap, clean_with_offsets


class Attributor:
    """Explains a classifier's labels; `top_k` words at most, each at least `min_share`."""

    def __init__(self, classifier: Classifier, top_k: int = 5, min_share: float = 0.08) -> None:
        self.classifier = classifier
        self.top_k = top_k
        self.min_share = min_share

    def explain(self, texts: Sequence[str], labels: Sequence[str]) -> list[list[Span]]:
        """Evidence spans per text for its label, for hateful labels only.

        `none` and `offensive` texts get none: nothing in them is weighed by the Rabat test, and
        the backward pass costs about twice the prediction (measured by `make bench`).
        """
        wanted = sorted(
            (i for i, label in enumerate(labels) if label in HATEFUL), key=lambda i: len(texts[i])
        )
        spans: list[list[Span]] = [[] for _ in texts]
        for start in range(0, len(wanted), self.classifier.batch_size):
            rows = wanted[start : start + self.classifier.batch_size]
            found = self._explain_batch([texts[i] for i in rows], [labels[i] for i in rows])
            for i, row_spans in zip(rows, found, strict=True):
                spans[i] = row_spans
        return spans

    def _explain_batch(self, texts: list[str], labels: list[str]) -> list[list[Span]]:
        cleaned = [clean_with_offsets(text) for text in texts]
        tokenizer = self.classifier.tokenizer
        enc = tokenizer(  # type: ignore[operator]
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
        return [
            self._words(text, offset_map, enc["offset_mapping"][row].tolist(), scores[row].tolist())
            for row, (text, (_, offset_map)) in enumerate(zip(texts, cleaned, strict=True))
        ]

    def _words(
        self, text: str, offset_map: OffsetMap, offsets: list[list[int]], scores: list[float]
    ) -> list[Span]:
        words: list[list[float]] = []  # [start, end, score] in cleaned offsets
        start: float
        end: float
        for (start, end), score in zip(offsets, scores, strict=True):
            if end <= start:
                continue  # special and padding tokens
            if words and start == words[-1][1]:
                words[-1][1], words[-1][2] = end, words[-1][2] + score
            else:
                words.append([start, end, score])
        positive = sum(s for _, _, s in words if s > 0)
        if positive <= 0:
            return []
        ranked = sorted(words, key=lambda w: w[2], reverse=True)[: self.top_k]
        spans = []
        for start, end, score in ranked:
            share = score / positive
            if share < self.min_share:
                break
            raw_start, raw_end = offset_map.to_raw(int(start), int(end))
            spans.append(
                Span(raw_start, raw_end, text[raw_start:raw_end], "attribution", round(share, 4))
            )
        return sorted(spans, key=lambda s: s.start)
