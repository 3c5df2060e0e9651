"""The case bank: adjudicated cases, read and validated, and the part each belongs to.

Each case (docs/cases/*.jsonl, described in docs/cases/README.md) holds the expression as the
decision quotes it, the circumstances the body established (as a
`rabat.assessment.context.Context`) and
the outcome: `incitement` (the decision should be "met"), `hate_speech` below the threshold or
`protected` (both "not met").

A third of each outcome is held apart (by a hash of the case id, so nobody picks it): tune
`configs/rabat.yaml` on the `calibration` part, report the `held_apart` part. Scoring the
Rabat decision on the bank: evaluation/cases.py.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rabat.assessment.context import Context

BANK = Path(__file__).resolve().parents[1] / "docs" / "cases"


POLICY = Path(__file__).resolve().parents[1] / "configs" / "rabat.yaml"


Outcome = Literal["incitement", "hate_speech", "protected"]


OUTCOMES: tuple[str, ...] = ("incitement", "hate_speech", "protected")


DECISIONS: tuple[str, ...] = ("met", "not_met", "undetermined")


EXPECTED: dict[str, str] = {"incitement": "met", "hate_speech": "not_met", "protected": "not_met"}


LABEL_OF_OUTCOME: dict[str, frozenset[str]] = {
    "incitement": frozenset({"incitement"}),
    "hate_speech": frozenset({"hate_speech"}),
    "protected": frozenset({"none", "offensive"}),
}


PARTS: tuple[str, ...] = ("calibration", "held_apart", "all")


class Case(BaseModel):
    """One adjudicated case; see docs/cases/README.md for each field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    forum: Literal["international_tribunal", "ecthr", "un_treaty_body", "national_court"]
    body: str
    case: str
    citation: str
    year: int = Field(ge=1900, le=2100)
    source_url: str | None
    expression: str = Field(min_length=1)
    expression_source: str
    quote_verified: bool
    original_language: str
    standard: str
    outcome: Outcome
    finding: str
    circumstances: str
    context: Context


def load_bank(path: str | Path = BANK) -> list[Case]:
    """Every case in a .jsonl file, or in every .jsonl file of a folder; errors name the file,
    the line and the field."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise FileNotFoundError(
            f"no case bank at {path}: expected a .jsonl file or a folder of them"
        )
    cases: list[Case] = []
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                cases.append(Case.model_validate_json(line))
            except ValidationError as err:
                raise ValueError(f"{file}, line {number}: not a valid case:\n{err}") from None
    seen = Counter(c.id for c in cases)
    twice = sorted(i for i, n in seen.items() if n > 1)
    if twice:
        raise ValueError(f"case ids must be unique; found twice: {twice}")
    return cases


def part_of(cases: Sequence[Case]) -> dict[str, str]:
    """`held_apart` for every third case of each outcome in the order of a hash of its id,
    `calibration` for the rest: stable as cases are added, and chosen by nobody."""
    parts: dict[str, str] = {}
    for outcome in OUTCOMES:
        ids = sorted(
            (c.id for c in cases if c.outcome == outcome),
            key=lambda i: hashlib.sha256(i.encode()).hexdigest(),
        )
        parts |= {i: ("held_apart" if n % 3 == 2 else "calibration") for n, i in enumerate(ids)}
    return parts
