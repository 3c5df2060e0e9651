"""POST /v1/moderations over real HTTP on the real tiny model, and OpenAI's own Python SDK
pointed at the service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from rabat.attributes.moderation import ASSESSED, CATEGORIES, NOT_ASSESSED

pytestmark = pytest.mark.slow

PATH = "/v1/moderations"
KEY = "openai-test-key-of-enough-length"
TEXTS = ["have a nice day", "you are a silly goose", "they should all be sent away"]


@pytest.fixture(scope="module")
def keyed(make_server: Any) -> Iterator[str]:
    with make_server(api_keys=[KEY]) as url:
        yield url


def sdk(url: str, key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=120)


@pytest.mark.parametrize(
    "given",
    [TEXTS, [{"type": "text", "text": text} for text in TEXTS]],
    ids=["strings", "text parts"],
)
def test_each_input_gets_a_result_with_classify_s_answer_in_order(
    client: httpx.Client, given: list[Any]
) -> None:
    answer = client.post(PATH, json={"input": given, "model": "omni-moderation-latest"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["id"].startswith("modr-") and body["model"]
    classified = client.post("/classify/batch", json={"items": [{"text": t} for t in TEXTS]})
    for result, same in zip(body["results"], classified.json()["results"], strict=True):
        assert list(result["categories"]) == list(CATEGORIES)
        assert result["rabat"]["label"] == same["label"]
        assert result["rabat"]["scores"] == same["scores"]
        assert result["rabat"]["decision"] == same["rabat"]["decision"]
        assert result["rabat"]["not_assessed"] == list(NOT_ASSESSED)
        assert result["flagged"] == any(result["categories"].values())


def test_one_string_is_one_result(client: httpx.Client) -> None:
    body = client.post(PATH, json={"input": "have a nice day"}).json()
    assert len(body["results"]) == 1
    for category in NOT_ASSESSED:
        assert body["results"][0]["category_applied_input_types"][category] == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": []}, "input"),
        ({"input": ""}, "input"),
        ({"input": ["fine", "  "]}, "input[1]"),
        ({"input": ["x" * 201]}, "input[0]"),
        ({"input": ["a"] * 9}, "input"),
        ({"input": [{"type": "image_url", "image_url": {"url": "data:,"}}]}, "input"),
        ({"text": "hello"}, "input"),
    ],
)
def test_bad_requests_get_openai_s_error_shape(
    client: httpx.Client, body: dict[str, Any], param: str
) -> None:
    answer = client.post(PATH, json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    assert error["param"] is not None and error["param"].startswith(param)


def test_openai_s_python_sdk_works_unchanged(keyed: str) -> None:
    moderation = sdk(keyed).moderations.create(input=TEXTS, model="omni-moderation-latest")
    assert moderation.id.startswith("modr-") and len(moderation.results) == 3
    for result in moderation.results:
        assert isinstance(result.flagged, bool)
        assert 0.0 <= result.category_scores.hate <= 1.0
        assert result.category_scores.sexual == 0.0
        assert result.category_applied_input_types.sexual == []
        assert result.category_applied_input_types.hate == ["text"]
        extension = (result.model_extra or {})["rabat"]
        assert extension["label"] in ("none", "offensive", "hate_speech", "incitement")
    one = sdk(keyed).moderations.create(input="have a nice day")
    assert len(one.results) == 1


def test_the_sdk_raises_its_own_errors(keyed: str) -> None:
    missing = httpx.post(f"{keyed}{PATH}", json={"input": "hi"}, timeout=60)
    assert missing.status_code == 401
    assert missing.json()["error"]["type"] == "invalid_request_error"
    with pytest.raises(openai.PermissionDeniedError):
        sdk(keyed, "nope").moderations.create(input="hi")
    with pytest.raises(openai.BadRequestError) as refused:
        sdk(keyed).moderations.create(input=["fine", " "])
    assert "input[1]" in refused.value.message


def test_the_mapping_covers_the_five_categories_rabat_models() -> None:
    assert set(ASSESSED) == {
        "harassment", "harassment/threatening", "hate", "hate/threatening", "violence",
    }  # fmt: skip


def test_openapi_documents_the_endpoint_with_openai_s_error_shape(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"][PATH]["post"]["responses"]
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/OpenAIErrorResponse"
    )
    assert "ModerationRequest" in spec["components"]["schemas"]
