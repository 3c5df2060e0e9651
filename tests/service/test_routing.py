"""Two models behind one service (RABAT_ROUTE_MODEL_DIR): each text is analysed by the model for
its language, each answer names that model, and GET /model describes both. Real models: two
copies of the smoke model under other versions stand in for the English and the multilingual
one (routing reads the text's language, not the model)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.runtime import StartupError, load_analyzer
from tests.fixtures import copy_model
from tests.service.conftest import serve, settings_for

pytestmark = pytest.mark.slow

ENGLISH = "The weather is lovely today and we are going to the park."
FRENCH = "Nous sommes allés au marché ce matin avec les enfants."


def test_each_text_is_analysed_by_the_model_for_its_language(
    smoke_model_dir: Path, tmp_path: Path
) -> None:
    english = copy_model(smoke_model_dir, tmp_path / "en", version="en-1")
    other = copy_model(smoke_model_dir, tmp_path / "ml", version="ml-1")
    settings = settings_for(english, route_model_dir=other, route_languages=["en"])
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as http:
        card = http.get("/model").json()
        assert card["version"] == "en-1+ml-1"
        assert card["routing"]["languages"] == ["en"]
        assert card["routing"]["other"]["version"] == "ml-1"
        assert card["routing"]["other"]["labels"] == card["labels"]
        french = http.post("/classify", json={"text": FRENCH}).json()
        assert (french["model_version"], french["language"]["code"]) == ("ml-1", "fr")
        assert http.post("/classify", json={"text": ENGLISH}).json()["model_version"] == "en-1"
        batch = http.post(
            "/classify/batch", json={"items": [{"text": FRENCH}, {"text": ENGLISH}]}
        ).json()
        assert batch["model_version"] == "en-1+ml-1"
        assert [r["model_version"] for r in batch["results"]] == ["ml-1", "en-1"]
        assert batch["results"][0]["label"] == french["label"]  # the same model, the same text


def test_without_routing_results_carry_no_model_of_their_own(smoke_model_dir: Path) -> None:
    with (
        serve(create_app(settings_for(smoke_model_dir))) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        batch = http.post("/classify/batch", json={"items": [{"text": FRENCH}]}).json()
        assert (
            "model_version" not in batch["results"][0]
            and "routing" not in http.get("/model").json()
        )


def test_a_missing_routed_model_names_its_setting(smoke_model_dir: Path, tmp_path: Path) -> None:
    settings = settings_for(smoke_model_dir, route_model_dir=tmp_path / "absent")
    with pytest.raises(StartupError, match=r"no Rabat model at .*absent \(RABAT_ROUTE_MODEL_DIR\)"):
        load_analyzer(settings)
