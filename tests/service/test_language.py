"""Every /classify and /classify/batch result carries the text's language, over real HTTP on
the real tiny model (the shared server of tests/service/conftest.py)."""

from __future__ import annotations

import httpx
import pytest

from service.schemas import BatchResponse, ClassifyResponse

pytestmark = pytest.mark.slow


def test_classify_answers_the_language(client: httpx.Client) -> None:
    response = client.post("/classify", json={"text": "Nous sommes allés au marché ce matin"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"]["code"] == "fr"
    assert 0.5 < body["language"]["confidence"] <= 1
    assert body["language"]["found"] == ["fr"]
    ClassifyResponse.model_validate(body)  # the documented schema matches what is served


def test_batch_answers_each_text_its_language_in_order(client: httpx.Client) -> None:
    texts = [
        "We are planning a picnic in the park on Saturday",
        "周末我们一家人去了博物馆",
        "😀😀 12345",
        "Mañana vamos a visitar a mis abuelos en el pueblo, see you later.",
    ]
    response = client.post("/classify/batch", json={"items": [{"text": t} for t in texts]})
    assert response.status_code == 200, response.text
    body = response.json()
    languages = [result["language"] for result in body["results"]]
    assert [lang["code"] for lang in languages] == ["en", "zh", "und", "es"]
    assert languages[2] == {"code": "und", "confidence": 0.0, "found": []}
    assert languages[3]["found"] == ["es", "en"]
    BatchResponse.model_validate(body)


def test_the_openapi_schema_documents_the_language(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "language" in schema["ResultOut"]["required"]
    language = schema["LanguageOut"]
    assert set(language["properties"]) == {"code", "confidence", "found"}
    assert "und" in language["properties"]["code"]["description"]
