"""OpenAI's moderation request body (`POST /v1/moderations`) and the response it gets: the
categories of rabat/attributes/moderation.py, plus Rabat's own answer in an extension field
(`rabat`) that OpenAI's clients keep as an extra and otherwise ignore."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rabat.attributes.moderation import NOT_ASSESSED, moderation_result

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analysis


class TextInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["text"] = Field(description='"text": Rabat scores text only, not images')
    text: str


class ModerationRequest(BaseModel):
    """OpenAI's request: one text, a list of texts, or a list of text parts."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"input": ["have a nice day"]}]}
    )

    input: str | list[str] | list[TextInput] = Field(
        description="a string, a list of strings, or a list of {type: text, text} parts"
    )
    model: str | None = Field(
        None, description="accepted and ignored: the service's model answers, and names itself"
    )

    def texts(self) -> list[str]:
        if isinstance(self.input, str):
            return [self.input]
        return [part if isinstance(part, str) else part.text for part in self.input]


def moderation_response(
    analyses: list[Analysis], model: str, calibrated: bool, target_bar: float
) -> dict[str, Any]:
    """The whole response body: `id`, `model`, and one result per input, in order."""
    results = []
    for analysis in analyses:
        result = moderation_result(analysis.attributes)
        result["rabat"] = rabat_extension(analysis, calibrated, target_bar)
        results.append(result)
    return {"id": f"modr-{uuid.uuid4().hex}", "model": model, "results": results}


def rabat_extension(analysis: Analysis, calibrated: bool, target_bar: float) -> dict[str, Any]:
    """Rabat's answer: what /classify says of the same text, in brief, and what was not assessed."""
    full = analysis.to_dict(target_bar=target_bar)
    return {
        "label": full["label"],
        "scores": full["scores"],
        "decision": full["rabat"]["decision"],
        "threshold_met": full["rabat"]["threshold_met"],
        "evidence": full["signals"]["evidence"],
        "not_assessed": list(NOT_ASSESSED),
        "calibrated": calibrated,
    }
