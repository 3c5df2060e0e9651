"""Perspective's `comments:analyze` request body, and the discovery document Google's client
libraries read to build their `commentanalyzer` client (so they work against Rabat unchanged).

    googleapiclient.discovery.build("commentanalyzer", "v1alpha1", developerKey=KEY,
        discoveryServiceUrl=f"{RABAT}/$discovery/rest?version=v1alpha1")
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rabat.attributes.perspective import ATTRIBUTES
from service.text import replace_lone_surrogates

API, VERSION = "commentanalyzer", "v1alpha1"
ANALYZE_PATH = f"{VERSION}/comments:analyze"


class TextEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the comment's text")
    type: Literal["PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"] = "PLAIN_TEXT"

    @field_validator("text")
    @classmethod
    def _has_content(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Comment must be non-empty.")
        return replace_lone_surrogates(value)


class AttributeParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scoreType: Literal["PROBABILITY"] | None = Field(
        None, description="only PROBABILITY: Rabat's scores are calibrated probabilities"
    )
    scoreThreshold: float | None = Field(
        None, ge=0.0, le=1.0, description="leave the attribute out when its score is below this"
    )


class ContextEntries(BaseModel):
    """Perspective's context (accepted for compatibility; Rabat's own context goes through
    /classify's `context`)."""

    model_config = ConfigDict(extra="allow")


class AnalyzeCommentRequest(BaseModel):
    """Perspective's request: the comment and the attributes to score."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"comment": {"text": "have a nice day"}, "requestedAttributes": {"TOXICITY": {}}}
            ]
        },
    )

    comment: TextEntry
    requestedAttributes: dict[str, AttributeParameters] = Field(
        description=f"the attributes to score, by name: {', '.join(ATTRIBUTES)}"
    )
    languages: list[str] | None = Field(
        None, description="echoed back; Rabat detects the language itself"
    )
    doNotStore: bool | None = Field(
        None, description="accepted; Rabat never stores the texts it scores"
    )
    clientToken: str | None = Field(None, description="echoed back")
    sessionId: str | None = None
    communityId: str | None = None
    spanAnnotations: bool | None = Field(
        None, description="true: one span score per sentence, from the evidence head"
    )
    dropUnsupportedAttributes: bool | None = Field(
        None, description="true: leave out attributes Rabat does not score instead of failing"
    )
    context: ContextEntries | None = None

    @field_validator("requestedAttributes")
    @classmethod
    def _some(cls, value: dict[str, AttributeParameters]) -> dict[str, AttributeParameters]:
        if not value:
            raise ValueError(f"requestedAttributes must name at least one of {list(ATTRIBUTES)}")
        return value


def discovery_document(root_url: str) -> dict[str, Any]:
    """The `commentanalyzer:v1alpha1` REST description, pointing the client at `root_url`."""
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"{API}:{VERSION}",
        "name": API,
        "version": VERSION,
        "title": "Perspective Comment Analyzer API, served by Rabat",
        "description": "Rabat's drop-in for Perspective's comments:analyze (docs/migrating.md)",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "batchPath": "batch",
        "parameters": _PARAMETERS,
        "auth": {
            "oauth2": {
                "scopes": {
                    "https://www.googleapis.com/auth/userinfo.email": {
                        "description": "See your primary Google Account email address"
                    }
                }
            }
        },
        "schemas": _SCHEMAS,
        "resources": {
            "comments": {
                "methods": {
                    "analyze": {
                        "id": f"{API}.comments.analyze",
                        "path": ANALYZE_PATH,
                        "flatPath": ANALYZE_PATH,
                        "httpMethod": "POST",
                        "parameters": {},
                        "parameterOrder": [],
                        "request": {"$ref": "AnalyzeCommentRequest"},
                        "response": {"$ref": "AnalyzeCommentResponse"},
                        "scopes": ["https://www.googleapis.com/auth/userinfo.email"],
                        "description": "Scores the comment for the requested attributes.",
                    }
                }
            }
        },
    }


def _query(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "location": "query", "description": description, **extra}


_PARAMETERS = {
    "key": _query("API key: one of the service's RABAT_API_KEYS"),
    "alt": _query("Data format for response.", enum=["json"], default="json"),
    "fields": _query("Selector specifying which fields to include in a partial response."),
    "prettyPrint": {**_query("Returns response with indentations."), "type": "boolean"},
    "quotaUser": _query("Accepted and ignored."),
    "access_token": _query("Accepted and ignored: Rabat authenticates with API keys."),
    "oauth_token": _query("Accepted and ignored."),
    "callback": _query("Accepted and ignored."),
    "uploadType": _query("Accepted and ignored."),
    "upload_protocol": _query("Accepted and ignored."),
    "$.xgafv": _query("V1 error format.", enum=["1", "2"]),
}


def _object(description: str, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "description": description, "properties": properties}


_STRING, _BOOL, _NUMBER = {"type": "string"}, {"type": "boolean"}, {"type": "number"}
_SCHEMAS = {
    name: {"id": name, **schema}
    for name, schema in {
        "TextEntry": _object("A piece of text.", text=_STRING, type=_STRING),
        "AttributeParameters": _object(
            "How to score one attribute.", scoreType=_STRING, scoreThreshold=_NUMBER
        ),
        "Score": _object("A probability.", value=_NUMBER, type=_STRING),
        "SpanScore": _object(
            "A span's score.", begin={"type": "integer"}, end={"type": "integer"},
            score={"$ref": "Score"},
        ),
        "AttributeScores": _object(
            "An attribute's scores.",
            summaryScore={"$ref": "Score"},
            spanScores={"type": "array", "items": {"$ref": "SpanScore"}},
        ),
        "AnalyzeCommentRequest": _object(
            "The comment and the attributes to score.",
            comment={"$ref": "TextEntry"},
            requestedAttributes={
                "type": "object", "additionalProperties": {"$ref": "AttributeParameters"}
            },
            languages={"type": "array", "items": _STRING},
            doNotStore=_BOOL, clientToken=_STRING, sessionId=_STRING, communityId=_STRING,
            spanAnnotations=_BOOL, dropUnsupportedAttributes=_BOOL,
            context={"type": "object"},
        ),
        "AnalyzeCommentResponse": _object(
            "The scores of the requested attributes.",
            attributeScores={"type": "object", "additionalProperties": {"$ref": "AttributeScores"}},
            languages={"type": "array", "items": _STRING},
            detectedLanguages={"type": "array", "items": _STRING},
            clientToken=_STRING,
        ),
    }.items()
}  # fmt: skip
