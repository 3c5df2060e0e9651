"""GET /metrics: counters move with requests; concurrent requests share model calls."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow


def scrape(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_after_requests(client: httpx.Client) -> None:
    before = scrape(client)
    label = client.post("/classify", json={"text": "have a nice day"}).json()["label"]
    client.post("/classify", json={"text": ""})
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"endpoint": "/classify", "method": "POST", "status": "200"}
    assert delta("rabat_http_requests_total", **ok) == 1
    assert delta("rabat_http_requests_total", **{**ok, "status": "422"}) == 1
    assert delta("rabat_http_request_duration_seconds_count", **ok) == 1
    assert delta("rabat_labels_total", label=label) == 1
    assert delta("rabat_batch_size_count") >= 1
    assert value(after, "rabat_ready") == 1
    version = client.get("/model").json()["version"]
    assert value(after, "rabat_model_info", version=version, base_model="minilm") == 1


def test_concurrent_requests_all_succeed_and_share_batches(client: httpx.Client) -> None:
    # "we must" sits 2*i characters in: each response's span proves it got its own result.
    # Spaces, not words, push it along: the text stays in one window of the smoke model (a
    # long text's markers are read in its most severe window only).
    texts = [f"{' ' * (2 * i)}we must be kind" for i in range(32)]
    before = scrape(client)

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=str(client.base_url), timeout=120) as http:
            return await asyncio.gather(
                *(
                    http.post("/classify", json={"text": t}, headers={"X-Request-ID": f"burst-{i}"})
                    for i, t in enumerate(texts)
                )
            )

    responses = asyncio.run(burst())
    for i, response in enumerate(responses):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["request_id"] == f"burst-{i}"
        (call,) = body["rabat"]["factors"]["intent"]["spans"]
        assert call["start"] == 2 * i
    after = scrape(client)
    calls = value(after, "rabat_batch_size_count") - value(before, "rabat_batch_size_count")
    texts_run = value(after, "rabat_batch_size_sum") - value(before, "rabat_batch_size_sum")
    assert texts_run == 32
    assert calls < 32  # some model calls carried more than one request
