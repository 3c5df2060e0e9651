"""The Rabat threshold policy (configs/rabat.yaml): typed, validated at start-up.

Every key is required and unknown keys are rejected: a policy is reviewed as a whole.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rabat.assessment.context import RISK_FACTORS, Level, Medium, Purpose, SpeakerRole
from rabat.labels import LABELS

FACTORS: tuple[str, ...] = (
    "context",
    "speaker",
    "intent",
    "content_form",
    "extent",
    "likelihood_imminence",
)
Score = float  # in [0, 1]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _keys(found: dict[str, float], expected: list[str], what: str) -> dict[str, float]:
    if set(found) != set(expected):
        raise ValueError(f"{what} must have exactly the keys {expected}, found {sorted(found)}")
    bad = {k: v for k, v in found.items() if not 0.0 <= v <= 10.0}
    if bad:
        raise ValueError(f"{what} values must be between 0 and 10, found {bad}")
    return found


class Levels(_Strict):
    medium: Score = Field(ge=0, le=1)
    high: Score = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Levels:
        if not self.medium < self.high:
            raise ValueError(
                f"levels.medium ({self.medium}) must be below levels.high ({self.high})"
            )
        return self

    def of(self, score: float) -> Level:
        """The level of a score."""
        if score >= self.high:
            return Level.HIGH
        return Level.MEDIUM if score >= self.medium else Level.LOW


class Decision(_Strict):
    weights: dict[str, float]
    bar: Score = Field(ge=0, le=1)
    floors: dict[str, Score]
    no_advocacy_bar: Score = Field(ge=0, le=1)

    @field_validator("weights")
    @classmethod
    def _six(cls, value: dict[str, float]) -> dict[str, float]:
        return _keys(value, list(FACTORS), "decision.weights")

    @field_validator("floors")
    @classmethod
    def _known(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(FACTORS))
        if unknown:
            raise ValueError(
                f"decision.floors has unknown factor(s) {unknown}: expected {list(FACTORS)}"
            )
        return value


class ContentForm(_Strict):
    label_severity: dict[str, Score]
    dehumanisation_weight: Score = Field(ge=0, le=1)
    violence_weight: Score = Field(ge=0, le=1)
    violence_words_weight: Score = Field(ge=0, le=1)

    @field_validator("label_severity")
    @classmethod
    def _labels(cls, value: dict[str, float]) -> dict[str, float]:
        return _keys(value, list(LABELS), "content_form.label_severity")


class Intent(_Strict):
    incitement_weight: Score = Field(ge=0, le=1)
    hateful_weight: Score = Field(ge=0, le=1)
    call_to_action_weight: Score = Field(ge=0, le=1)
    target_weight: Score = Field(ge=0, le=1)
    target_bar: Score = Field(ge=0, le=1)
    distancing_discount: Score = Field(ge=0, le=1)
    purpose_weight: Score = Field(ge=0, le=1)
    purpose: dict[str, Score]

    @field_validator("purpose")
    @classmethod
    def _purposes(cls, value: dict[str, float]) -> dict[str, float]:
        return _keys(value, [p.value for p in Purpose], "intent.purpose")


class SpeakerPolicy(_Strict):
    roles: dict[str, Score]
    influence: dict[str, Score]
    followers_for_max: int = Field(ge=1)

    @model_validator(mode="after")
    def _complete(self) -> SpeakerPolicy:
        _keys(self.roles, [r.value for r in SpeakerRole], "speaker.roles")
        _keys(self.influence, [lv.value for lv in Level], "speaker.influence")
        return self


class ExtentPolicy(_Strict):
    media: dict[str, Score]
    audience_for_max: int = Field(ge=1)
    public_bonus: Score = Field(ge=0, le=1)
    repetition_for_max: int = Field(ge=1)

    @field_validator("media")
    @classmethod
    def _media(cls, value: dict[str, float]) -> dict[str, float]:
        return _keys(value, [m.value for m in Medium], "extent.media")


class ContextPolicy(_Strict):
    flags: dict[str, Score]
    risk_level: dict[str, Score]

    @model_validator(mode="after")
    def _complete(self) -> ContextPolicy:
        _keys(self.flags, list(RISK_FACTORS), "context.flags")
        _keys(self.risk_level, [lv.value for lv in Level], "context.risk_level")
        return self


class Likelihood(_Strict):
    content_weight: Score = Field(ge=0, le=1)
    violence_weight: Score = Field(ge=0, le=1)
    imminence_weight: Score = Field(ge=0, le=1)
    context_weight: Score = Field(ge=0, le=1)
    extent_weight: Score = Field(ge=0, le=1)
    speaker_weight: Score = Field(ge=0, le=1)


class Markers(_Strict):
    call_to_action: list[str] = Field(min_length=1)
    time: list[str] = Field(min_length=1)
    violence: list[str] = Field(min_length=1)
    distancing: list[str] = Field(min_length=1)

    @field_validator("call_to_action", "time", "violence", "distancing")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(
                    f"marker pattern {pattern!r} is not a valid regular expression: {err}"
                ) from None
        return value


class Policy(_Strict):
    """The whole policy file."""

    levels: Levels
    decision: Decision
    content_form: ContentForm
    intent: Intent
    speaker: SpeakerPolicy
    extent: ExtentPolicy
    context: ContextPolicy
    likelihood_imminence: Likelihood
    markers: Markers


def load_policy(path: str | Path) -> Policy:
    """Load and validate a policy file; errors name the file and the offending keys."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Rabat policy {path} not found (the shipped one is configs/rabat.yaml)"
        )
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return Policy.model_validate(raw)
    except ValidationError as err:
        raise ValueError(f"invalid Rabat policy {path}:\n{err}") from None
