"""Perspective's attributes in Rabat's terms: which ones Rabat can honestly score, from which
calibrated quantity, and how `comments:analyze` reports them (summary and span scores).

Span offsets are in UTF-16 code units, as Perspective's (a JavaScript string's indices); for
text without characters outside the Basic Multilingual Plane they equal Python's indices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PROBABILITY = "PROBABILITY"
MAX_COMMENT_BYTES = 20480  # Perspective's limit on comment.text, in UTF-8 bytes


@dataclass(frozen=True)
class Attribute:
    """`definition`: Perspective's own words; `quantity`: the Rabat quantity that scores it."""

    definition: str
    quantity: str


ATTRIBUTES: dict[str, Attribute] = {
    "TOXICITY": Attribute(
        "A rude, disrespectful, or unreasonable comment that is likely to make people leave a "
        "discussion.",
        "TOXICITY",
    ),
    "SEVERE_TOXICITY": Attribute(
        "A very hateful, aggressive, disrespectful comment or otherwise very likely to make a "
        "user leave a discussion or give up on sharing their perspective. This attribute is much "
        "less sensitive to more mild forms of toxicity, such as comments that include positive "
        "uses of curse words.",
        "SEVERE_TOXICITY",
    ),
    "IDENTITY_ATTACK": Attribute(
        "Negative or hateful comments targeting someone because of their identity.",
        "IDENTITY_ATTACK",
    ),
    "INSULT": Attribute(
        "Insulting, inflammatory, or negative comment towards a person or a group of people.",
        "INSULT",
    ),
    "THREAT": Attribute(
        "Describes an intention to inflict pain, injury, or violence against an individual or "
        "group.",
        "THREAT",
    ),
}
NOT_SCORED = {
    "PROFANITY": "Rabat has no profanity signal: its labels are about attacks, not swear words",
}

_ENDS = ".!?\u3002\uff01\uff1f"  # and the ideographic full stop, fullwidth ! and ?
_SENTENCE = re.compile(f"[^{_ENDS}\\n]*(?:[{_ENDS}]+|\\n+|$)")


def unknown_attribute_message(name: str) -> str:
    """Perspective's message for an attribute it does not know, plus what Rabat scores."""
    why = f" ({NOT_SCORED[name]})" if name in NOT_SCORED else ""
    return (
        f"Unknown requested attribute: {name}{why}. Rabat scores "
        f"{', '.join(ATTRIBUTES)}; ask for one of them, or set dropUnsupportedAttributes"
    )


def utf16_offset(text: str, index: int) -> int:
    """Python's index into `text` as a UTF-16 code-unit offset."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence with non-space content, in Python indices."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        found = text[start:end]
        if found.strip():
            spans.append((start + len(found) - len(found.lstrip()), end))
    return spans


def span_scores(
    text: str,
    summary: float,
    words: Sequence[tuple[int, int, float]],
    per_sentence: bool,
) -> list[dict[str, Any]]:
    """The whole text as one span scored `summary`; with `per_sentence`, one span per sentence
    scored `summary` times how strongly the evidence head marks its words, relative to the most
    marked word of the text (the sentence that carries the label keeps the summary score)."""
    if not per_sentence:
        return [_span(text, 0, len(text), summary)]
    top = max((score for _, _, score in words), default=0.0)
    out = []
    for start, end in sentences(text) or [(0, len(text))]:
        inside = [score for s, e, score in words if s < end and e > start]
        share = max(inside, default=0.0) / top if top > 0 else 1.0
        out.append(_span(text, start, end, summary * share))
    return out


def _span(text: str, start: int, end: int, score: float) -> dict[str, Any]:
    return {
        "begin": utf16_offset(text, start),
        "end": utf16_offset(text, end),
        "score": {"value": round(score, 4), "type": PROBABILITY},
    }


def attribute_scores(
    text: str,
    quantities: Mapping[str, float],
    requested: Mapping[str, float | None],
    words: Sequence[tuple[int, int, float]],
    span_annotations: bool,
) -> dict[str, Any]:
    """`attributeScores` for the requested attributes (all known), leaving out those whose
    score is under the attribute's `scoreThreshold`, as Perspective does."""
    out: dict[str, Any] = {}
    for name, threshold in requested.items():
        value = quantities[ATTRIBUTES[name].quantity]
        if threshold is not None and value < threshold:
            continue
        out[name] = {
            "spanScores": span_scores(text, value, words, span_annotations),
            "summaryScore": {"value": value, "type": PROBABILITY},
        }
    return out
