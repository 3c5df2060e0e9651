"""What a caller may say about a text's circumstances: the inputs of the Rabat factors that the
text alone cannot give (speaker, extent, context). Every field is optional; a factor whose
inputs are all missing is reported as not assessed, never guessed.

Unknown fields are rejected (a typo must not silently turn a factor off).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class SpeakerRole(StrEnum):
    PRIVATE_PERSON = "private_person"
    INFLUENCER = "influencer"
    PUBLIC_FIGURE = "public_figure"
    MEDIA = "media"
    OFFICIAL = "official"
    POLITICAL_LEADER = "political_leader"
    RELIGIOUS_LEADER = "religious_leader"


class Medium(StrEnum):
    PRIVATE_MESSAGE = "private_message"
    GROUP_CHAT = "group_chat"
    COMMENT = "comment"
    SOCIAL_MEDIA_POST = "social_media_post"
    PRINT = "print"
    BROADCAST = "broadcast"
    RALLY = "rally"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Speaker(_Strict):
    """Factor 2, speaker: position, status and standing with the audience."""

    role: SpeakerRole | None = None
    influence: Level | None = Field(None, description="standing and influence with the audience")
    followers: int | None = Field(None, ge=0, le=10_000_000_000)


class Reach(_Strict):
    """Factor 5, extent: reach, public nature, medium and repetition of the speech act."""

    audience_size: int | None = Field(None, ge=0, le=10_000_000_000)
    public: bool | None = None
    medium: Medium | None = None
    repetition: int | None = Field(None, ge=1, le=1_000_000, description="times said or shared")


class Setting(_Strict):
    """Factor 1, context: the social and political situation when the speech was made."""

    armed_conflict: bool | None = None
    recent_violence_against_target: bool | None = None
    history_of_discrimination: bool | None = None
    election_period: bool | None = None
    risk_level: Level | None = Field(None, description="an analyst's overall atrocity-risk reading")


class Context(_Strict):
    """The optional `context` of a classification request."""

    speaker: Speaker | None = None
    reach: Reach | None = None
    setting: Setting | None = None
