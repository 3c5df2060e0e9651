"""What a saved model directory says about itself (`rabat_model.json`); torch-free, so that the
ONNX backend and the scorer can read it without loading torch."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rabat.labels import check_labels
from rabat.model.operating_point import OperatingPoint
from rabat.signals import check_target_groups

META_FILE = "rabat_model.json"


@dataclass(frozen=True)
class ModelMeta:
    """What a model directory says about itself; checked against this package on load."""

    version: str
    labels: tuple[str, ...]
    target_groups: tuple[str, ...]
    binary_signals: tuple[str, ...]
    max_length: int
    base_model: str
    # rabat.model.language_shift: language -> shift of the hateful labels' log-probabilities, and
    # the shift of every other language; none for an English-only model
    language_shift: dict[str, float] = field(default_factory=dict)
    language_shift_other: float = 0.0
    # rabat.model.operating_point: the cumulative decision's bars; None keeps the argmax
    operating_point: OperatingPoint | None = None

    @property
    def reads_language(self) -> bool:
        """Whether prediction needs each text's language (a shift or an operating point)."""
        shifted = bool(self.language_shift) or self.language_shift_other != 0.0
        return shifted or self.operating_point is not None

    @classmethod
    def read(cls, model_dir: Path) -> ModelMeta:
        path = model_dir / META_FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found: {model_dir} is not a Rabat model directory. "
                "Train one with `make train`, or pass the directory that training wrote."
            )
        raw = json.loads(path.read_text(encoding="utf-8"))
        meta = cls(
            version=str(raw["version"]),
            labels=tuple(raw["labels"]),
            target_groups=tuple(raw["target_groups"]),
            binary_signals=tuple(raw["binary_signals"]),
            max_length=int(raw["max_length"]),
            base_model=str(raw["base_model"]),
            language_shift={str(k): float(v) for k, v in raw.get("language_shift", {}).items()},
            language_shift_other=float(raw.get("language_shift_other", 0.0)),
            operating_point=(
                OperatingPoint.from_json(raw["operating_point"])
                if raw.get("operating_point")
                else None
            ),
        )
        check_labels(meta.labels, str(path))
        check_target_groups(meta.target_groups, str(path))
        return meta

    def write(self, model_dir: Path) -> None:
        data = asdict(self)
        point = self.operating_point
        data["operating_point"] = point.to_json() if point is not None else None
        (model_dir / META_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
