"""The review form reviewers fill in, as a Label Studio labeling config generated from the label
list, and the model's analysis turned into a pre-filled form (a Label Studio prediction).

Framework-free on purpose: the annotation tool (pre-annotations on push) and the service (Label
Studio's ML backend, `/predict`) both speak this format and must not import each other.

Control names (`from_name`) are part of the training-file contract: `rabat.review.reviews`
reads them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

from rabat.assessment.policy import FACTORS
from rabat.labels import DEFINITIONS, HATEFUL, LABELS, Label
from rabat.signals import TARGET_GROUP_DEFINITIONS

TEXT = "text"  # the task's data field and the <Text> object name
LABEL = "label"
TARGETS = "target_groups"
RATIONALE = "rationale"
NOTE = "note"
FACTOR_PREFIX = "factor_"

LEVELS: tuple[str, ...] = ("low", "medium", "high")
CANT_TELL = "can't tell"

FACTOR_QUESTIONS: dict[str, str] = {
    "context": "Context: does the social and political setting make harm likelier?",
    "speaker": "Speaker: standing, authority or influence over the audience?",
    "intent": "Intent: does the speaker mean to incite, not merely to inform or offend?",
    "content_form": "Content and form: how provocative and direct is it?",
    "extent": "Extent: how public, how large and how repeated is the reach?",
    "likelihood_imminence": "Likelihood and imminence: how likely and how soon is harm?",
}

RATIONALE_KINDS: dict[str, str] = {
    "evidence": "words that carry your label",
    "target": "who is attacked",
    "call_to_action": "a call on the audience to act",
    "time_marker": "when: now, tonight, before the vote",
}

# What the model's span kinds become in the form's rationale labels.
_SPAN_KIND = {
    "evidence": "evidence",
    "call_to_action": "call_to_action",
    "time_marker": "time_marker",
}


def factor_control(factor: str) -> str:
    """The control name of a Rabat factor: `factor_intent`, ..."""
    return FACTOR_PREFIX + factor


def label_config() -> str:
    """The Label Studio labeling config for the review form, generated from the label list."""
    lines = [
        "<View>",
        '  <Header value="Read the text, then judge it as the Rabat Plan of Action asks."/>',
        f'  <Text name="{TEXT}" value="${TEXT}"/>',
        '  <Header value="Rationale: mark the words your judgement rests on" size="6"/>',
        f'  <Labels name="{RATIONALE}" toName="{TEXT}" choice="multiple">',
        *(
            f"    <Label value={quoteattr(kind)} hint={quoteattr(hint)}/>"
            for kind, hint in RATIONALE_KINDS.items()
        ),
        "  </Labels>",
        '  <Header value="Label" size="5"/>',
        f'  <Choices name="{LABEL}" toName="{TEXT}" choice="single" required="true">',
        *(
            f"    <Choice value={quoteattr(label)} hint={quoteattr(DEFINITIONS[label])}/>"
            for label in LABELS
        ),
        "  </Choices>",
        '  <Header value="The six Rabat factors" size="5"/>',
    ]
    for factor in FACTORS:
        lines += [
            f'  <Header value={quoteattr(FACTOR_QUESTIONS[factor])} size="6"/>',
            f'  <Choices name="{factor_control(factor)}" toName="{TEXT}" choice="single" '
            'showInline="true">',
            *(f"    <Choice value={quoteattr(level)}/>" for level in (*LEVELS, CANT_TELL)),
            "  </Choices>",
        ]
    lines += [
        '  <Header value="Target group (who is attacked for who they are)" size="5"/>',
        f'  <Choices name="{TARGETS}" toName="{TEXT}" choice="multiple" showInline="true">',
        *(
            f"    <Choice value={quoteattr(group)} hint={quoteattr(hint)}/>"
            for group, hint in TARGET_GROUP_DEFINITIONS.items()
        ),
        "  </Choices>",
        '  <Header value="Note (optional)" size="6"/>',
        f'  <TextArea name="{NOTE}" toName="{TEXT}" rows="2" maxSubmissions="1" editable="true"/>',
        "</View>",
    ]
    return "\n".join(lines) + "\n"


def config_fields(config: str) -> dict[str, list[str]]:
    """The choices each control of a labeling config offers, by control name (from the XML)."""
    try:
        root = ET.fromstring(config)
    except ET.ParseError as err:
        raise ValueError(f"the labeling config is not valid XML: {err}") from None
    fields: dict[str, list[str]] = {}
    for control in root.iter():
        if control.tag in ("Choices", "Labels") and control.get("name"):
            fields[str(control.get("name"))] = [
                str(child.get("value")) for child in control if child.tag in ("Choice", "Label")
            ]
    return fields


def config_differences(config: str) -> list[str]:
    """How a labeling config differs from this package's form; empty when it matches."""
    found, expected = config_fields(config), config_fields(label_config())
    problems = []
    for name, values in expected.items():
        if name not in found:
            problems.append(f"control {name!r} is missing")
        elif found[name] != values:
            problems.append(f"control {name!r} offers {found[name]}, expected {values}")
    return problems


def review_priority(scores: Mapping[str, float]) -> float:
    """How much a text needs a reviewer, in [0, 1]: the larger of the model's uncertainty
    (1 - margin between its two likeliest labels) and its probability of incitement.

    Margin, not entropy: a reviewer settles the choice the model hesitates over, and entropy over
    four labels also rises when the two unlikely ones share leftovers. Incitement counts on its
    own because it is the rarest label and the one that matters most to catch.
    """
    first, second = sorted(scores.values(), reverse=True)[:2]
    return max(1.0 - (first - second), float(scores[Label.INCITEMENT.value]))


def to_utf16(text: str, index: int) -> int:
    """A code-point offset into `text` as Label Studio counts it (JavaScript: UTF-16 units)."""
    return len(text[:index].encode("utf-16-le", "surrogatepass")) // 2


def from_utf16(text: str, index: int) -> int:
    """A Label Studio (UTF-16) offset into `text` as a Python code-point offset."""
    units = text.encode("utf-16-le", "surrogatepass")[: 2 * index]
    return len(units.decode("utf-16-le", "surrogatepass"))


PROPOSAL_TARGET_BAR = 0.7
"""Target groups are pre-ticked only at this probability or above, and only for a text the
model labels hateful: on the default model's dev split, groups ticked at 0.7 are right 95 % of
the time (`python -m evaluation signals`, `proposal_bars`). An empty field is better than a
guess a reviewer may accept."""


def to_prediction(
    analysis: Mapping[str, Any],
    model_version: str,
    text: str | None = None,
    target_bar: float = PROPOSAL_TARGET_BAR,
) -> dict[str, Any]:
    """A Label Studio prediction from one result of `Analysis.to_dict` (the service's JSON).

    The prediction's `score` is 1 - `review_priority`: Label Studio's uncertainty sampling shows
    the lowest score first, so reviewers get the most needed texts first. The label choice
    carries the label's own probability. Give the analysed `text` so that span offsets are
    converted to Label Studio's UTF-16 units (they differ once a text holds an emoji)."""
    label = analysis["label"]
    result: list[dict[str, Any]] = [
        _choices(LABEL, [label], score=analysis["scores"][label]),
    ]
    for factor, details in analysis["rabat"]["factors"].items():
        level = details["level"] if details["level"] in LEVELS else CANT_TELL
        result.append(_choices(factor_control(factor), [level], score=details["score"]))
    targets = (
        sorted(g for g, v in analysis["signals"]["target_groups"].items() if v >= target_bar)
        if label in HATEFUL
        else []
    )
    if targets:
        result.append(_choices(TARGETS, list(targets)))
    for i, span in enumerate(_spans(analysis)):
        result.append(
            {
                "id": f"r{i}",
                "from_name": RATIONALE,
                "to_name": TEXT,
                "type": "labels",
                "value": {
                    "start": _offset(text, span["start"]),
                    "end": _offset(text, span["end"]),
                    "text": span["text"],
                    "labels": [_SPAN_KIND[span["kind"]]],
                },
            }
        )
    return {
        "result": result,
        "score": round(1.0 - review_priority(analysis["scores"]), 6),
        "model_version": model_version,
    }


def _offset(text: str | None, index: int) -> int:
    return index if text is None else to_utf16(text, index)


def _choices(name: str, values: list[str], score: float | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": name,
        "from_name": name,
        "to_name": TEXT,
        "type": "choices",
        "value": {"choices": values},
    }
    if score is not None:
        item["score"] = float(score)
    return item


def _spans(analysis: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Evidence and marker spans, each (start, end, kind) once."""
    spans = list(analysis["signals"]["evidence"])
    for details in analysis["rabat"]["factors"].values():
        spans += details["spans"]
    seen, out = set(), []
    for span in spans:
        key = (span["start"], span["end"], span["kind"])
        if span["kind"] in _SPAN_KIND and key not in seen:
            seen.add(key)
            out.append(span)
    return out
