"""The checks a retrained model passes before it serves (it loads, keeps the label list, answers
the probe texts with probabilities), on real model directories; a rejected model leaves the
served one in place. The whole job over HTTP is in tests/service/routers/test_retrain.py."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI

from rabat.labels import LABELS
from rabat.model.prediction import Prediction
from rabat.signals import TARGET_GROUPS
from service.app import create_app
from service.lifespan import lifespan
from service.model_check import ModelRejected, probe_problems
from service.retrain_job import JobState, RetrainBusy, RetrainJob
from tests.fixtures import copy_model
from tests.service.conftest import poison_weights, settings_for, truncate_weights

T = TypeVar("T")


def in_app(model_dir: Path, body: Callable[[FastAPI], Awaitable[T]]) -> T:
    """Run `body` against a started app (lifespan included) on `model_dir`."""

    async def main() -> T:
        app = create_app(settings_for(model_dir))
        async with lifespan(app):
            return await body(app)

    return asyncio.run(main())


@pytest.mark.slow
def test_a_sound_model_passes_and_is_not_yet_served(smoke_model_dir: Path, tmp_path: Path) -> None:
    candidate = copy_model(smoke_model_dir, tmp_path / "new", version="retrained-1")

    async def check(app: FastAPI) -> tuple[str, str]:
        served = await app.state.retrainer.validate(candidate)
        return served.version, app.state.runtime.model_version

    new, serving = in_app(smoke_model_dir, check)
    assert new == "retrained-1" and serving != "retrained-1"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("breaks", "reason"),
    [(truncate_weights, "does not load"), (poison_weights, "are not probabilities")],
)
def test_a_broken_model_is_rejected_and_the_old_one_serves_on(
    smoke_model_dir: Path, tmp_path: Path, breaks: Callable[[Path], Path], reason: str
) -> None:
    candidate = breaks(copy_model(smoke_model_dir, tmp_path / "broken", version="broken-1"))

    async def check(app: FastAPI) -> tuple[str, str]:
        before = app.state.runtime.model_version
        with pytest.raises(ModelRejected, match=reason):
            await app.state.retrainer.validate(candidate)
        (analysis,) = await app.state.runtime.batcher.submit(
            ["have a nice day"], [SimpleNamespace(context=None, explain=False)]
        )
        return before, analysis.served.version

    before, after = in_app(smoke_model_dir, check)
    assert after == before != "broken-1"


def prediction(scores: dict[str, float]) -> Any:
    label = max(scores, key=scores.__getitem__)
    groups = dict.fromkeys(TARGET_GROUPS, 0.0)
    return SimpleNamespace(prediction=Prediction(label, scores, groups, 0.0, 0.0, False))


def test_probe_problems_name_what_is_wrong() -> None:
    good = prediction({"none": 0.7, "offensive": 0.2, "hate_speech": 0.05, "incitement": 0.05})
    assert probe_problems([good, good], 2) == []
    assert probe_problems([good], 2) == ["1 answers for 2 probe texts"]
    nan = prediction(dict.fromkeys(LABELS, math.nan))
    assert "not probabilities" in probe_problems([nan], 1)[0]
    unnormalised = prediction(dict.fromkeys(LABELS, 0.5))
    assert "sum to 2.0000" in probe_problems([unnormalised], 1)[0]
    other = prediction({"none": 0.5, "spam": 0.5})
    assert "expected" in probe_problems([other], 1)[0]


def test_a_job_shows_no_secret_and_says_why_it_is_busy() -> None:
    job = RetrainJob(
        id="20260101-000000-abcdef",
        trigger="api",
        project=3,
        log_path=Path("/runs/retrain/x.log"),
        previous_version="v1",
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    shown = job.to_dict()
    assert shown["state"] == "training" and shown["project"] == 3 and shown["error"] is None
    assert set(shown) == {
        "id", "state", "trigger", "project", "started_at", "finished_at", "reviews_file",
        "model_dir", "model_version", "previous_version", "error", "log_path",
    }  # fmt: skip
    message = str(RetrainBusy(job))
    assert "started at 2026-01-01T00:00:00+00:00" in message and job.id in message
    assert "GET /retrain" in message
    assert not job.finished and JobState.FAILED == "failed"


def test_a_rejected_model_gives_latest_back_to_the_served_one(tmp_path: Path) -> None:
    from service.retraining import _restore_latest

    served, rejected = tmp_path / "v1", tmp_path / "v2"
    served.mkdir()
    rejected.mkdir()
    (tmp_path / "latest").symlink_to("v2")
    note = _restore_latest(rejected, served)
    assert (tmp_path / "latest").resolve() == served.resolve()
    assert "points at the served model v1 again" in note
    assert _restore_latest(rejected, served) == ""  # nothing to undo twice
    elsewhere = tmp_path / "other" / "v0"
    elsewhere.mkdir(parents=True)
    (tmp_path / "latest").unlink()
    (tmp_path / "latest").symlink_to("v2")
    assert "would serve the rejected model" in _restore_latest(rejected, elsewhere)
    assert (tmp_path / "latest").resolve() == rejected.resolve()
