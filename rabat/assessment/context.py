"""What a caller may say about a text's circumstances: the inputs of the Rabat factors that the
text alone cannot give (speaker and their purpose, extent, context). Every field is optional; a
factor whose inputs are all missing is reported as not assessed, never guessed.

The setting's fields stand for risk factors of the UN Framework of Analysis for Atrocity Crimes
(2014); `RISK_FACTORS` names which. Unknown fields and values are rejected with the allowed ones
(a typo must not silently turn a factor off).
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


class Purpose(StrEnum):
    """What the speaker set out to do (factor 3, intent): advocacy of the hatred, or a use that
    is not advocacy even when it repeats hateful words."""

    ADVOCACY = "advocacy"  # promoting the hatred or the action against the group
    POLITICAL = "political"  # campaigning or taking part in political debate
    REPORTING = "reporting"  # journalism documenting the speech or its speakers
    ACADEMIC = "academic"  # research, teaching, quoting for analysis
    ARTISTIC = "artistic"  # satire, fiction, song, poetry
    COUNTER_SPEECH = "counter_speech"  # opposing the hatred


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Speaker(_Strict):
    """Factor 2, speaker: position, status and standing with the audience."""

    role: SpeakerRole | None = None
    influence: Level | None = Field(None, description="standing and influence with the audience")
    followers: int | None = Field(None, ge=0, le=10_000_000_000)
    purpose: Purpose | None = Field(
        None,
        description="what the speaker set out to do: advocacy, political, reporting, academic, "
        "artistic or counter_speech (factor 3, intent)",
    )


class Reach(_Strict):
    """Factor 5, extent: reach, public nature, medium and repetition of the speech act."""

    audience_size: int | None = Field(None, ge=0, le=10_000_000_000)
    public: bool | None = None
    medium: Medium | None = None
    repetition: int | None = Field(None, ge=1, le=1_000_000, description="times said or shared")


class Setting(_Strict):
    """Factor 1, context: the social and political situation when the speech was made and
    spread. Each flag is one risk factor (RF) of the UN Framework of Analysis for Atrocity
    Crimes (2014); see `RISK_FACTORS`."""

    armed_conflict: bool | None = Field(
        None, description="armed conflict or another form of instability (RF1)"
    )
    record_of_violations: bool | None = Field(
        None,
        description="a record of serious violations of human rights or humanitarian law "
        "against the group (RF2)",
    )
    weak_state_structures: bool | None = Field(
        None, description="weak state structures: no capacity to prevent or protect (RF3)"
    )
    triggering_event: bool | None = Field(
        None,
        description="a triggering event: a commemoration, an attack on a leader or a group, a "
        "census, a sudden change of power (RF8)",
    )
    election_period: bool | None = Field(
        None, description="an election or referendum period, a triggering event (RF8)"
    )
    history_of_discrimination: bool | None = Field(
        None, description="patterns of discrimination against the group (RF9)"
    )
    intergroup_tensions: bool | None = Field(
        None, description="tensions between the speaker's group and the target group (RF9)"
    )
    recent_violence_against_target: bool | None = Field(
        None,
        description="violence against the group now or lately: attacks, killings, "
        "displacement (RF11; RF10 where it aims at destroying the group)",
    )
    risk_level: Level | None = Field(None, description="an analyst's overall atrocity-risk reading")


RISK_FACTORS: dict[str, str] = {
    "armed_conflict": "RF1 situations of armed conflict or other forms of instability",
    "record_of_violations": "RF2 record of serious violations of international human rights "
    "and humanitarian law",
    "weak_state_structures": "RF3 weakness of state structures",
    "triggering_event": "RF8 triggering factors",
    "election_period": "RF8 triggering factors (elections)",
    "history_of_discrimination": "RF9 intergroup tensions or patterns of discrimination "
    "against protected groups",
    "intergroup_tensions": "RF9 intergroup tensions or patterns of discrimination against "
    "protected groups",
    "recent_violence_against_target": "RF11 signs of a widespread or systematic attack against "
    "any civilian population; RF10 signs of an intent to destroy a protected group",
}
"""Each setting flag and the Framework of Analysis risk factor it stands for."""


class Context(_Strict):
    """The optional `context` of a classification request."""

    speaker: Speaker | None = None
    reach: Reach | None = None
    setting: Setting | None = None
