"""Auxiliary signals read from the text: target group, call to violence, dehumanisation.

They feed the Rabat factors (intent, content and form, likelihood). One source of truth for the
identity categories a target group can take.
"""

from __future__ import annotations

TARGET_GROUPS: tuple[str, ...] = (
    "race_ethnicity",
    "religion",
    "gender",
    "sexual_orientation",
    "migration",
    "disability",
    "other",
)

TARGET_GROUP_DEFINITIONS: dict[str, str] = {
    "race_ethnicity": "race, colour, descent, ethnicity or national origin",
    "religion": "religion or belief, including religion-coded ethnicity (e.g. Jewish, Muslim)",
    "gender": "gender or gender identity (women, men, transgender people)",
    "sexual_orientation": "sexual orientation (gay, lesbian, bisexual, LGBTQ+ as a whole)",
    "migration": "migrants, refugees, asylum seekers",
    "disability": "physical or mental disability",
    "other": "another identity factor (class, age, political identity, appearance, ...)",
}

BINARY_SIGNALS: tuple[str, ...] = ("call_to_violence", "dehumanisation")

UNKNOWN = -1
"""Value of a binary signal a corpus does not annotate (masked out of the loss)."""


def check_target_groups(found: list[str] | tuple[str, ...], where: str) -> None:
    """Fail loudly if a saved target-group list differs from this package's."""
    if tuple(found) != TARGET_GROUPS:
        raise ValueError(
            f"target-group list mismatch in {where}: expected {list(TARGET_GROUPS)} "
            f"(rabat.signals), found {list(found)}. Retrain the model with this version of rabat."
        )
