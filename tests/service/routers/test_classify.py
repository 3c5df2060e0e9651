"""POST /classify and /classify/batch over real HTTP on the real tiny model: the response shape,
evidence offsets, order, Unicode."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from rabat.assessment.policy import FACTORS
from rabat.labels import LABELS
from service.schemas import BatchResponse, ClassifyResponse

pytestmark = pytest.mark.slow

FULL_CONTEXT = {
    "speaker": {"role": "public_figure", "influence": "high", "followers": 50000},
    "reach": {"audience_size": 20000, "public": True, "medium": "social_media_post"},
    "setting": {"election_period": True, "risk_level": "medium"},
}
DECISIONS = {None: "undetermined", True: "met", False: "not_met"}


def all_spans(result: dict[str, Any]) -> list[dict[str, Any]]:
    spans = list(result["signals"]["evidence"])
    for factor in result["rabat"]["factors"].values():
        spans.extend(factor["spans"])
    return spans


def assert_spans_slice(text: str, result: dict[str, Any]) -> None:
    for span in all_spans(result):
        assert text[span["start"] : span["end"]] == span["text"], span


def test_result_has_labels_scores_signals_and_six_factors(client: httpx.Client) -> None:
    response = client.post("/classify", json={"text": "you are a silly goose"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["label"] in LABELS
    assert list(body["scores"]) == list(LABELS)
    assert sum(body["scores"].values()) == pytest.approx(1.0, abs=1e-5)
    assert body["label"] == max(body["scores"], key=body["scores"].__getitem__)
    assert set(body["rabat"]["factors"]) == set(FACTORS)
    for factor in body["rabat"]["factors"].values():
        assert {"level", "score", "source", "evidence", "spans", "missing"} <= set(factor)
        assert factor["level"] in {"low", "medium", "high", "not_assessed"}
        assert factor["source"] in {"text", "context", "text+context"}
    assert body["rabat"]["decision"] == DECISIONS[body["rabat"]["threshold_met"]]
    assert body["truncated"] is False
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert body["model_version"]
    ClassifyResponse.model_validate(body)  # the documented schema matches what is served


def test_without_context_the_context_factors_are_not_assessed(client: httpx.Client) -> None:
    body = client.post("/classify", json={"text": "have a nice day"}).json()
    factors = body["rabat"]["factors"]
    for name in ("context", "speaker", "extent"):
        assert factors[name]["level"] == "not_assessed"
        assert factors[name]["score"] is None
        assert factors[name]["missing"]
        assert name in body["rabat"]["missing_factors"]


def test_with_full_context_every_factor_is_assessed(client: httpx.Client) -> None:
    body = client.post(
        "/classify", json={"text": "have a nice day", "context": FULL_CONTEXT}
    ).json()
    assert body["rabat"]["missing_factors"] == []
    assert all(f["level"] != "not_assessed" for f in body["rabat"]["factors"].values())
    assert body["rabat"]["factors"]["speaker"]["source"] == "context"


@pytest.mark.parametrize(
    "text",
    [
        "we must go tonight, you silly goose",
        "@someone we must go tonight https://example.org/a?b=c &amp; you silly goose",
        "RT @goose:   &quot;we must&quot; go   tonight &#128512; www.example.org",
    ],
)
def test_evidence_offsets_slice_the_text_as_sent(client: httpx.Client, text: str) -> None:
    # with a context, likelihood is assessed and carries its time-marker spans too
    body = client.post("/classify", json={"text": text, "context": FULL_CONTEXT}).json()
    spans = all_spans(body)
    assert any(s["kind"] == "call_to_action" for s in spans)  # "we must" is a policy marker
    assert any(s["kind"] == "time_marker" for s in spans)  # and so is "tonight"
    assert_spans_slice(text, body)


def test_batch_answers_in_input_order(client: httpx.Client) -> None:
    # "we must" moves right by two characters per item: its span start identifies the item.
    texts = [f"{'a ' * i}we must be kind" for i in range(6)]
    response = client.post("/classify/batch", json={"items": [{"text": t} for t in texts]})
    assert response.status_code == 200, response.text
    body = response.json()
    BatchResponse.model_validate(body)
    assert len(body["results"]) == len(texts)
    for i, result in enumerate(body["results"]):
        (call,) = result["rabat"]["factors"]["intent"]["spans"]
        assert call["start"] == 2 * i
    singles = [client.post("/classify", json={"text": t}).json() for t in texts[:2]]
    for single, batched in zip(singles, body["results"], strict=False):
        assert single["scores"] == pytest.approx(batched["scores"], abs=1e-4)


def test_batch_items_carry_their_own_context(client: httpx.Client) -> None:
    items = [{"text": "have a nice day", "context": FULL_CONTEXT}, {"text": "have a nice day"}]
    results = client.post("/classify/batch", json={"items": items}).json()["results"]
    assert results[0]["rabat"]["factors"]["speaker"]["level"] != "not_assessed"
    assert results[1]["rabat"]["factors"]["speaker"]["level"] == "not_assessed"


@pytest.mark.parametrize(
    "text",
    [
        # emoji, a ZWJ sequence
        "have a nice day \U0001f600\U0001f3f3\ufe0f\u200d\U0001f308 we must go tonight",
        "\u0645\u0631\u062d\u0628\u0627 we must go tonight \u05e9\u05dc\u05d5\u05dd",  # RTL
        "e\u0301\u0301 cafe\u0301 \u200b\u200c\ufeff we must go tonight",  # combining, zero-width
        "\u202eevil\u202c we must go tonight \x00 \x07",  # bidi override, NUL, control
        "\u200b",  # only a zero-width space: not white space, so accepted
        "\U0001f600" * 150,  # 150 code points, under the 200 limit
    ],
)
def test_any_unicode_is_accepted(client: httpx.Client, text: str) -> None:
    response = client.post("/classify", json={"text": text})
    assert response.status_code == 200, response.text
    assert_spans_slice(text, response.json())


def test_lone_surrogates_become_replacement_characters(client: httpx.Client) -> None:
    raw = b'{"text": "\\ud800 we must go tonight \\udfff"}'  # lone halves, escaped in JSON
    assert "\ud800" in json.loads(raw)["text"]
    response = client.post("/classify", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    body = response.json()
    (call,) = body["rabat"]["factors"]["intent"]["spans"]
    assert call["start"] == 2  # one U+FFFD for one surrogate: offsets are unchanged
    assert_spans_slice("\ufffd we must go tonight \ufffd", body)


def test_escaped_surrogate_pair_is_one_emoji(client: httpx.Client) -> None:
    raw = b'{"text": "\\ud83d\\ude00 we must go"}'
    response = client.post("/classify", content=raw, headers={"Content-Type": "application/json"})
    (call,) = response.json()["rabat"]["factors"]["intent"]["spans"]
    assert call["start"] == 2  # the pair decodes to one code point


def test_text_at_the_limit_is_accepted(client: httpx.Client) -> None:
    response = client.post("/classify", json={"text": "goose " * 33 + "ab"})  # 200 chars
    assert response.status_code == 200, response.text


def test_explain_false_skips_evidence_spans(client: httpx.Client) -> None:
    response = client.post("/classify", json={"text": "you are a silly goose", "explain": False})
    assert response.status_code == 200, response.text
    assert response.json()["signals"]["evidence"] == []


def test_explain_must_be_a_boolean(client: httpx.Client) -> None:
    response = client.post("/classify", json={"text": "hi", "explain": "sometimes"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "explain"
