"""Words in a text that bear on the Rabat factors: calls to action and time markers.

Patterns come from the policy (configs/rabat.yaml); matches carry character offsets into the
text exactly as the caller sent it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A stretch of the input text: [start, end) character offsets, the words, why it matters."""

    start: int
    end: int
    text: str
    kind: str
    weight: float = 1.0

    def to_dict(self) -> dict[str, object]:
        """The JSON shape (what `dataclasses.asdict` gives, without its deep copy: the service
        writes several spans per text)."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "weight": self.weight,
        }


class MarkerFinder:
    """Finds whole-word, case-insensitive matches of a list of patterns."""

    def __init__(self, kind: str, patterns: list[str]) -> None:
        joined = "|".join(f"(?:{p})" for p in patterns)
        self.kind = kind
        self._regex = re.compile(rf"(?<!\w)(?:{joined})(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), m.group(0), self.kind) for m in self._regex.finditer(text)]
