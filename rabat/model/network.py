"""The multi-task network and the on-disk layout of a saved model directory.

A model directory is a standard Hugging Face sequence-classification model (so
`pipeline("text-classification")` can load it) plus Rabat's own files:

    config.json, model.safetensors, tokenizer files   the encoder and its 4-label head
    aux_heads.safetensors                               target-group, violence, dehumanisation and
                                                        token evidence heads
    rabat_model.json                                    labels, target groups, version, max length
    training_config.yaml, data_manifest.json, metrics.json   written by training
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoModelForSequenceClassification, PreTrainedModel

from rabat.labels import LABELS, check_labels
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS

AUX_FILE = "aux_heads.safetensors"


class MultiTaskModel(nn.Module):
    """A sequence classifier over the four labels plus auxiliary heads on mean-pooled states."""

    def __init__(self, encoder: PreTrainedModel, detach_aux: bool = False) -> None:
        super().__init__()
        self.encoder = encoder
        # True: the auxiliary heads learn from the encoder's features without changing them, so
        # they cannot hurt the label head (measured: shared training cost 0.007 dev macro-F1).
        self.detach_aux = detach_aux
        hidden = int(encoder.config.hidden_size)
        self.target_head = nn.Linear(hidden, len(TARGET_GROUPS))
        self.binary_head = nn.Linear(hidden, len(BINARY_SIGNALS))
        # One logit per token: does this token carry the label? Trained on annotators'
        # rationales (training/losses.py); the service's evidence spans are its scores.
        self.evidence_head = nn.Linear(hidden, 1)

    @classmethod
    def from_base(cls, base: str | Path) -> MultiTaskModel:
        """A model on top of a base encoder (local directory or hub id) to train; a base that is
        itself a Rabat model (the release, dequantised) brings its heads, the others start new."""
        encoder = AutoModelForSequenceClassification.from_pretrained(
            str(base),
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id={label: i for i, label in enumerate(LABELS)},
        )
        model = cls(encoder)
        aux_path = Path(base) / AUX_FILE
        if aux_path.is_file():
            model._load_heads(load_file(str(aux_path)))
        return model

    def forward(
        self,
        input_ids: torch.Tensor | None,
        attention_mask: torch.Tensor,
        inputs_embeds: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """Logits of every head: label, target groups, binary signals (per text) and evidence
        (per token, `(batch, tokens)`)."""
        label_logits, hidden = self._encode(input_ids, attention_mask, inputs_embeds)
        pooled = _mean_pool(hidden, attention_mask)
        if self.detach_aux:
            pooled = pooled.detach()
        return {
            "label_logits": label_logits,
            "target_logits": self.target_head(pooled),
            "binary_logits": self.binary_head(pooled),
            "evidence_logits": self.evidence_head(hidden).squeeze(-1),
        }

    def features(
        self,
        input_ids: torch.Tensor | None,
        attention_mask: torch.Tensor,
        inputs_embeds: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The label logits and the mean-pooled last hidden states the auxiliary heads read."""
        label_logits, hidden = self._encode(input_ids, attention_mask, inputs_embeds)
        return label_logits, _mean_pool(hidden, attention_mask)

    def _encode(
        self,
        input_ids: torch.Tensor | None,
        attention_mask: torch.Tensor,
        inputs_embeds: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.encoder(
            input_ids=input_ids,
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            output_hidden_states=True,
        )
        hidden = out.hidden_states[-1]
        if self.mean_pooled:
            # A base trained mean-pooled (e5) has no pooler weights: the label head reads the
            # mean of the token states, as the auxiliary heads do.
            head: Any = self.encoder
            return head.classifier(head.dropout(_mean_pool(hidden, attention_mask))), hidden
        return out.logits, hidden

    @property
    def mean_pooled(self) -> bool:
        """True when the encoder's config says `rabat_pooling: mean` (training/e5_convert)."""
        return getattr(self.encoder.config, "rabat_pooling", None) == "mean"

    def add_label_bias(self, bias: torch.Tensor) -> None:
        """Add `bias` to the label logits, in the head itself (so every reader applies it)."""
        head: Any = self.encoder.classifier  # BERT-style heads; RoBERTa-style: out_proj
        layer: nn.Linear = head if isinstance(head, nn.Linear) else head.out_proj
        with torch.no_grad():
            layer.bias.add_(bias.to(layer.bias.dtype))

    def save(self, model_dir: Path) -> None:
        """Write the encoder in Hugging Face format and the auxiliary heads beside it."""
        model_dir.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(model_dir, safe_serialization=True)
        aux = {f"target_head.{k}": v.contiguous() for k, v in self.target_head.state_dict().items()}
        for name in ("binary_head", "evidence_head"):
            head: nn.Module = getattr(self, name)
            aux.update({f"{name}.{k}": v.contiguous() for k, v in head.state_dict().items()})
        save_file(aux, str(model_dir / AUX_FILE))
        # safetensors writes owner-only files; a service or a container may run as another user
        for weights in model_dir.glob("*.safetensors"):
            weights.chmod(0o644)

    @classmethod
    def load(cls, model_dir: Path) -> MultiTaskModel:
        """Load a saved model directory (see the module docstring for its layout)."""
        encoder = AutoModelForSequenceClassification.from_pretrained(str(model_dir))
        found = [encoder.config.id2label[i] for i in range(encoder.config.num_labels)]
        check_labels(found, str(model_dir / "config.json"))
        model = cls(encoder)
        aux_path = model_dir / AUX_FILE
        if not aux_path.is_file():
            raise FileNotFoundError(
                f"{aux_path} not found: the model directory is incomplete. Retrain it."
            )
        state: dict[str, Any] = load_file(str(aux_path))
        if not any(key.startswith("evidence_head.") for key in state):
            raise ValueError(
                f"{aux_path} has no evidence head: the model was trained before evidence came "
                "from the model itself. Retrain it with `make train`."
            )
        model._load_heads(state)
        return model

    def _load_heads(self, state: dict[str, Any]) -> None:
        self.target_head.load_state_dict(_sub(state, "target_head."))
        self.binary_head.load_state_dict(_sub(state, "binary_head."))
        self.evidence_head.load_state_dict(_sub(state, "evidence_head."))


def _mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def _sub(state: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
