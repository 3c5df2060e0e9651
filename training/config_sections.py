"""The sections of the training configuration (`split`, `augment`, `gate`, `train`), each
validating itself and rejecting unknown keys; training/config.py puts them together."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Strict(BaseModel):
    """Frozen, and an unknown key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SplitConfig(Strict):
    seed: int = 13
    dev: float = Field(0.1, gt=0, lt=0.5)
    test: float = Field(0.1, gt=0, lt=0.5)


class AugmentConfig(Strict):
    """Training-time augmentation (training/augment.py); applied to the training split only."""

    obfuscate_fraction: float = Field(
        0.0, ge=0, le=1, description="share of training rows (every label alike) obfuscated"
    )
    contrastive_rows: int = Field(
        0, ge=0, description="`none` rows made by framing hateful training rows as reports"
    )
    identity_none_copies: int = Field(
        0, ge=0, le=5, description="extra copies of `none` rows that name an identity group"
    )
    none_copies: dict[str, int] = Field(
        default_factory=dict,
        description="corpus -> extra copies of its `none` rows in the training split, for a "
        "corpus whose hateful rows teach a form (emoji) to read as hate",
    )
    seed: int = 13


class LanguageSampling(Strict):
    """Temperature sampling of the training split by language (training/sampling.py): each
    language gets a share of `total` rows proportional to n_lang ** alpha, small languages
    repeated and large ones sampled down; dev and test keep every row."""

    alpha: float = Field(
        ..., gt=0, le=1, description="1: natural shares; lower flattens them (XLM-R 0.3, mT5 0.3)"
    )
    total: int | None = Field(
        None, ge=1, description="training rows after sampling (None: as many as before)"
    )
    max_repeats: float = Field(
        5.0,
        ge=1,
        description="most copies of a language's rows, so a tiny language is not memorised",
    )


class GateConfig(Strict):
    """The publish gate: `latest` moves to a new model only if every functional-suite category
    reaches its floor (training/functional). The model is written either way."""

    run_suite: bool = Field(True, description="score the functional suite after training")
    floors: dict[str, float] = Field(
        default_factory=dict, description="category -> lowest accuracy that may be published"
    )
    default_floor: float | None = Field(
        None, ge=0, le=1, description="floor of every category not named in `floors`"
    )
    lexicon: Path | None = Field(
        None, description="slurs for the suite, one per line (default: derived from the corpora)"
    )
    languages: list[str] = Field(
        default_factory=lambda: ["en"],
        description="the languages whose functional suites are scored (training/functional); "
        "`floors` and `default_floor` apply to English, `language_floor` to the others",
    )
    language_floor: float | None = Field(
        None, ge=0, le=1, description="lowest overall accuracy of every other language's suite"
    )

    @field_validator("floors")
    @classmethod
    def _floors_are_shares(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"gate floors are accuracies in [0, 1], found {bad}")
        return value


class TrainParams(Strict):
    epochs: int = Field(2, ge=1)
    batch_size: int = Field(32, ge=1)
    learning_rate: float = Field(8e-5, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    warmup_ratio: float = Field(0.06, ge=0, lt=1)
    max_length: int = Field(96, ge=8, le=512)
    freeze_layers: int = Field(
        2, ge=0, description="embeddings plus this many bottom layers stay frozen (0: train all)"
    )
    class_weighting: Literal["none", "inverse_sqrt", "inverse"] = "inverse_sqrt"
    prior_correction: bool = Field(
        True, description="tune a label-prior correction on dev and fold it into the head"
    )
    operating_point: bool = Field(
        True,
        description="choose the cumulative decision's bars per language on dev and the gate's "
        "suites (rabat.model.operating_point), in place of the language shifts",
    )
    language_shift: bool = Field(
        True,
        description="with dev rows in several languages, choose per language a shift of the "
        "hateful labels' scores on dev (rabat.model.language_shift), applied at prediction",
    )
    aux_detach: bool = Field(
        True, description="auxiliary heads learn without back-propagating into the encoder"
    )
    aux_loss_weight: float = Field(0.3, ge=0, description="0 turns the auxiliary heads off")
    evidence_loss_weight: float = Field(
        0.5,
        ge=0,
        description="weight of the token evidence head's loss on rows with rationales; it trains "
        "through the encoder (0: the head learns nothing)",
    )
    seed: int = 13
    threads: int = Field(2, ge=1)
    checkpoint_every: int = Field(
        200, ge=1, description="optimizer steps between resumable checkpoints"
    )
    dev_limit: int | None = Field(
        None, ge=1, description="evaluate on at most this many dev rows per epoch"
    )
    length_group_size: int = Field(50, ge=1, description="batches per length-sorted bucket")
    signal_rows: int = Field(
        12000,
        ge=0,
        description="training rows whose frozen features refit the auxiliary heads (0: keep "
        "the heads trained with the label head)",
    )
