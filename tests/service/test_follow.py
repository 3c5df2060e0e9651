"""Following a model path: a new complete model it comes to name is checked and swapped in; an
incomplete one waits, a broken one is refused and the served model stays."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.lifespan import lifespan
from tests.fixtures import copy_model
from tests.service.conftest import serve, settings_for, truncate_weights

pytestmark = pytest.mark.slow


def link(path: Path, target: Path) -> None:
    tmp = path.with_name(".link.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name)
    os.replace(tmp, path)


def test_a_new_model_at_the_followed_path_is_swapped_in(
    smoke_model_dir: Path, tmp_path: Path
) -> None:
    first = copy_model(smoke_model_dir, tmp_path / "v1", version="v1")
    second = copy_model(smoke_model_dir, tmp_path / "v2", version="v2")
    latest = tmp_path / "latest"
    link(latest, first)
    settings = settings_for(first, follow_model=latest, follow_interval_s=0.2)
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/model").json()["follow"]["state"] == "waiting"
        (second / "metrics.json").rename(second / "metrics.json.away")  # still being written
        link(latest, second)
        asyncio.run(asyncio.sleep(1.0))
        assert http.get("/model").json()["version"] == "v1"
        (second / "metrics.json.away").rename(second / "metrics.json")  # now complete
        for _ in range(100):
            card = http.get("/model").json()
            if card["version"] == "v2":
                break
            asyncio.run(asyncio.sleep(0.1))
        assert card["version"] == "v2" and card["follow"]["state"] == "swapped"
        assert http.post("/classify", json={"text": "good morning"}).status_code == 200


def test_a_broken_model_at_the_followed_path_is_refused(
    smoke_model_dir: Path, tmp_path: Path
) -> None:
    first = copy_model(smoke_model_dir, tmp_path / "v1", version="v1")
    broken = truncate_weights(copy_model(smoke_model_dir, tmp_path / "v2", version="v2"))
    latest = tmp_path / "latest"
    link(latest, broken)

    async def body() -> tuple[bool, str, str]:
        app = create_app(settings_for(first, follow_model=latest, follow_interval_s=3600))
        async with lifespan(app):
            swapped = await app.state.follower.check()
            return swapped, app.state.runtime.model_version, app.state.follower.state

    assert asyncio.run(body()) == (False, "v1", "rejected")
