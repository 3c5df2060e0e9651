"""POST /v1alpha1/comments:analyze over real HTTP on the real tiny model, and Google's own
Python client (google-api-python-client) built from the service's discovery document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from rabat.attributes.calibration import AttributeScorer
from rabat.attributes.perspective import ATTRIBUTES
from rabat.model.prediction import Prediction
from tests.service.conftest import ServerFactory

pytestmark = pytest.mark.slow

PATH = "/v1alpha1/comments:analyze"
KEY = "perspective-test-key"
TEXT = "You are a silly goose. Have a nice day."


def analyze(text: str = TEXT, **extra: Any) -> dict[str, Any]:
    attributes = extra.pop("requestedAttributes", {name: {} for name in ATTRIBUTES})
    return {"comment": {"text": text}, "requestedAttributes": attributes, **extra}


def expected_scores(model_dir: Path, result: dict[str, Any]) -> dict[str, float]:
    """The calibrated quantities of /classify's answer for the same text."""
    signals = result["signals"]
    prediction = Prediction(
        result["label"],
        result["scores"],
        signals["target_groups"],
        signals["call_to_violence"],
        signals["dehumanisation"],
        truncated=False,
    )
    return AttributeScorer.load(model_dir).scores(prediction, result["language"]["code"])


@pytest.fixture(scope="module")
def keyed(make_server: ServerFactory) -> Iterator[str]:
    with make_server(api_keys=[KEY]) as url:
        yield url


def test_scores_are_classify_s_calibrated_for_the_same_text(
    client: httpx.Client, smoke_model_dir: Path
) -> None:
    answer = client.post(PATH, json=analyze(clientToken="t-1", languages=["en"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (smoke_model_dir / "attributes.json").is_file()  # training's last step wrote it
    expected = expected_scores(
        smoke_model_dir, client.post("/classify", json={"text": TEXT}).json()
    )
    for name, attribute in ATTRIBUTES.items():
        summary = body["attributeScores"][name]["summaryScore"]
        assert summary == {"value": expected[attribute.quantity], "type": "PROBABILITY"}
        (span,) = body["attributeScores"][name]["spanScores"]
        assert (span["begin"], span["end"]) == (0, len(TEXT))
    assert body["clientToken"] == "t-1" and body["languages"] == ["en"]
    assert body["detectedLanguages"] in ([], ["en"])


def test_span_annotations_give_one_span_per_sentence(client: httpx.Client) -> None:
    body = client.post(PATH, json=analyze(spanAnnotations=True)).json()
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert [TEXT[s["begin"] : s["end"]] for s in spans] == [
        "You are a silly goose.",
        "Have a nice day.",
    ]
    summary = body["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert max(s["score"]["value"] for s in spans) == pytest.approx(summary, abs=1e-4)


def test_thresholds_filter_as_perspective_does(client: httpx.Client) -> None:
    def scored(threshold: float | None) -> dict[str, Any]:
        wanted = {"INSULT": {} if threshold is None else {"scoreThreshold": threshold}}
        return dict(client.post(PATH, json=analyze(requestedAttributes=wanted)).json())

    value = scored(None)["attributeScores"]["INSULT"]["summaryScore"]["value"]
    assert "INSULT" in scored(value)["attributeScores"]  # at the threshold: kept
    if value < 1.0:
        above = scored(min(1.0, value + 0.001))
        assert "attributeScores" not in above  # the only one asked for, left out: no key at all


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (analyze(requestedAttributes={"PROFANITY": {}}), "Unknown requested attribute: PROFANITY"),
        (
            analyze(requestedAttributes={"FLIRTATION": {}}),
            "Unknown requested attribute: FLIRTATION",
        ),
        (analyze(requestedAttributes={}), "requestedAttributes"),
        (analyze("   "), "Comment must be non-empty."),
        (analyze(doNotStore="perhaps"), "doNotStore"),
        (analyze(requestedAttributes={"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}), "scoreType"),
        ({"comment": {"text": "hi"}}, "requestedAttributes"),
        (analyze(surprise=1), "surprise"),
    ],
)
def test_bad_requests_get_google_s_error_shape(
    client: httpx.Client, body: dict[str, Any], says: str
) -> None:
    answer = client.post(PATH, json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert says in error["message"]


def test_unsupported_attributes_can_be_dropped(client: httpx.Client) -> None:
    wanted = {"TOXICITY": {}, "PROFANITY": {}}
    body = client.post(
        PATH, json=analyze(requestedAttributes=wanted, dropUnsupportedAttributes=True)
    )
    assert body.status_code == 200 and set(body.json()["attributeScores"]) == {"TOXICITY"}


def test_too_long_and_not_json_are_refused_in_google_s_shape(client: httpx.Client) -> None:
    long = client.post(PATH, json=analyze("x" * 201))  # the test server's limit is 200
    assert long.status_code == 400 and long.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "comment.text" in long.json()["error"]["message"]
    broken = client.post(PATH, content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]["message"]


def test_the_key_comes_as_a_query_parameter(keyed: str) -> None:
    with httpx.Client(base_url=keyed, timeout=60) as http:
        missing = http.post(PATH, json=analyze())
        assert missing.status_code == 401
        assert missing.json()["error"]["status"] == "UNAUTHENTICATED"
        wrong = http.post(PATH, params={"key": "nope"}, json=analyze())
        assert wrong.status_code == 403 and wrong.json()["error"]["status"] == "PERMISSION_DENIED"
        assert http.post(PATH, params={"key": KEY}, json=analyze()).status_code == 200
        assert http.post(PATH, headers={"X-API-Key": KEY}, json=analyze()).status_code == 200
        # the discovery document stays public, and takes the key a client appends
        assert http.get("/$discovery/rest", params={"version": "v1alpha1", "key": KEY}).is_success


def test_the_discovery_document_points_clients_at_this_service(client: httpx.Client) -> None:
    document = client.get("/$discovery/rest", params={"version": "v1alpha1"}).json()
    assert document["rootUrl"] == str(client.base_url).rstrip("/") + "/"
    method = document["resources"]["comments"]["methods"]["analyze"]
    assert method["path"] == PATH.lstrip("/") and method["httpMethod"] == "POST"
    older = client.get("/discovery/v1/apis/commentanalyzer/v1alpha1/rest").json()
    assert older == document
    unknown = client.get("/$discovery/rest", params={"version": "v2"})
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"


def google_client(url: str, key: str) -> Any:
    return build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=key,
        discoveryServiceUrl=f"{url}/$discovery/rest?version=v1alpha1",
        static_discovery=False,
        cache_discovery=False,
    )


def test_google_s_python_client_works_unchanged(keyed: str, smoke_model_dir: Path) -> None:
    service = google_client(keyed, KEY)
    body = analyze(requestedAttributes={"TOXICITY": {}, "IDENTITY_ATTACK": {}}, clientToken="c")
    response = service.comments().analyze(body=body).execute()
    assert set(response["attributeScores"]) == {"TOXICITY", "IDENTITY_ATTACK"}
    assert 0.0 <= response["attributeScores"]["TOXICITY"]["summaryScore"]["value"] <= 1.0
    assert response["clientToken"] == "c"
    with pytest.raises(HttpError) as refused:
        service.comments().analyze(body=analyze(requestedAttributes={"SPAM": {}})).execute()
    assert refused.value.status_code == 400
    assert "Unknown requested attribute: SPAM" in refused.value.reason
    with pytest.raises(HttpError) as wrong_key:
        google_client(keyed, "nope").comments().analyze(body=analyze()).execute()
    assert wrong_key.value.status_code == 403


def test_openapi_documents_the_endpoint_with_google_s_error_shape(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"][PATH]["post"]["responses"]
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/GoogleErrorResponse"
    )
    assert "AnalyzeCommentRequest" in spec["components"]["schemas"]
