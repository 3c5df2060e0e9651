"""The four labels, ordered by severity: the single source of truth for the label list.

Levels follow the UN Strategy and Plan of Action on Hate Speech (see docs/labels.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Label(StrEnum):
    """A severity level; members are declared from least to most severe."""

    NONE = "none"
    OFFENSIVE = "offensive"
    HATE_SPEECH = "hate_speech"
    INCITEMENT = "incitement"

    @property
    def severity(self) -> int:
        """0 for `none` up to 3 for `incitement`."""
        return LABELS.index(self.value)

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.value]

    @property
    def is_hateful(self) -> bool:
        """Hateful means `hate_speech` or `incitement` (the binary view used by peers)."""
        return self in (Label.HATE_SPEECH, Label.INCITEMENT)


LABELS: tuple[str, ...] = tuple(member.value for member in Label)

DEFINITIONS: dict[str, str] = {
    "none": "No attack on a person or group for who they are.",
    "offensive": (
        "Insulting, vulgar, shocking or disturbing, but not an attack on a protected group: "
        "lawful expression."
    ),
    "hate_speech": (
        "Attacks or uses pejorative or discriminatory language about a person or group on the "
        "basis of identity (religion, ethnicity, nationality, race, colour, descent, gender or "
        "other identity factor), without calling on others to act."
    ),
    "incitement": (
        "Advocacy of hatred that incites discrimination, hostility or violence against a group "
        "(ICCPR art. 20(2)), threats and calls for violence included."
    ),
}

HATEFUL: frozenset[str] = frozenset(label.value for label in Label if label.is_hateful)


def parse_label(value: str) -> Label:
    """Return the Label for `value`, or raise a ValueError listing the valid labels."""
    try:
        return Label(value)
    except ValueError:
        raise ValueError(f"unknown label {value!r}: expected one of {', '.join(LABELS)}") from None


def check_labels(found: Sequence[str], where: str) -> None:
    """Fail loudly if a saved or configured label list differs from this package's."""
    if tuple(found) != LABELS:
        raise ValueError(
            f"label list mismatch in {where}: expected {list(LABELS)} (rabat.labels), "
            f"found {list(found)}. Retrain the model with this version of rabat, or install "
            "the rabat version the model was trained with."
        )
