"""`push`: a pool of texts becomes review tasks, each pre-filled with the model's analysis.

Order: by `rabat.review.labeling.review_priority` (the model's uncertainty, or its probability of
incitement, whichever is larger), most needed first. Tasks are imported in that order (within
each window of 10,000 texts: the pool is streamed) and the project uses Label Studio's
uncertainty sampling, which serves the lowest prediction score first across the whole project;
the score is 1 - priority.

Texts already in the project (same `rabat.text.cleaning.dedup_key`, stored in the task as
`rabat_key`) are skipped, so an interrupted push is simply run again: each batch is one import
request, and what landed before the interruption is found and left alone.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio
from tqdm import tqdm

from annotation.client import call, every_item
from annotation.pool import PoolItem
from annotation.settings import Settings
from rabat.review.labeling import PROPOSAL_TARGET_BAR, TEXT, review_priority, to_prediction

logger = logging.getLogger(__name__)

KEY = "rabat_key"
DEFAULT_POLICY = Path("configs/rabat.yaml")
Predict = Callable[[Sequence[str]], list[dict[str, Any]]]


WINDOW = 10_000  # texts predicted, ordered and imported together


@dataclass(frozen=True)
class PushReport:
    texts: int
    already_there: int
    imported: int
    model_version: str
    labels: dict[str, int]


def load_predictor(
    model: Path, backend: str = "auto", policy: Path = DEFAULT_POLICY
) -> tuple[Predict, str]:
    """The model's analysis, evidence spans included (they become the tasks' pre-annotated
    rationale spans, for reviewers to keep or correct), and its version.
    `backend` auto: int8 ONNX when the model has been exported, else torch
    (`rabat.model.loader`)."""
    from rabat.assessment.analysis import Analyzer  # torch loads here, not when the CLI starts

    analyzer = Analyzer.load(model, policy, backend=backend)

    def predict(texts: Sequence[str]) -> list[dict[str, Any]]:
        found = analyzer.analyze(texts, [None] * len(texts))
        return [a.to_dict(analyzer.target_bar) for a in found]

    return predict, analyzer.classifier.version


def existing_keys(client: LabelStudio, settings: Settings, project_id: int) -> set[str]:
    """The `rabat_key` of every task in the project (texts pushed before)."""

    def fetch() -> set[str]:
        keys: set[str] = set()
        pages = every_item(
            lambda page, size: client.tasks.list(
                project=project_id, fields="task_only", page=page, page_size=size
            ),
            page_size=1000,
        )
        for task in pages:
            data = task.data or {}
            keys.add(str(data.get(KEY) or ""))
        keys.discard("")
        return keys

    return call(settings, "list the project's tasks", fetch, read=True)


def build_tasks(
    items: Sequence[PoolItem],
    predict: Predict,
    model_version: str,
    chunk: int = 2048,
    target_bar: float = PROPOSAL_TARGET_BAR,
) -> list[dict[str, Any]]:
    """Tasks with predictions for `items`, most needed first; target groups are proposed at
    `target_bar` or above only."""
    tasks: list[dict[str, Any]] = []
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        for item, analysis in zip(part, predict([i.text for i in part]), strict=True):
            priority = review_priority(analysis["scores"])
            data: dict[str, Any] = {
                TEXT: item.text,
                KEY: item.key,
                "priority": round(priority, 4),
                "model_label": analysis["label"],
                **item.extra,
            }
            tasks.append(
                {
                    "data": data,
                    "predictions": [to_prediction(analysis, model_version, item.text, target_bar)],
                }
            )
    tasks.sort(key=lambda task: -task["data"]["priority"])
    return tasks


def push(
    client: LabelStudio | None,
    settings: Settings,
    project_id: int,
    items: Iterable[PoolItem],
    predict: Predict,
    model_version: str,
    batch_size: int = 1000,
    total: int | None = None,
) -> PushReport:
    """Import the pool's new texts into the project; safe to rerun after any interruption.

    The pool is streamed in windows of `WINDOW` texts: each is predicted, ordered most needed
    first and imported, so memory stays flat. `client=None` is a dry run: everything but the
    import (and no Label Studio is needed)."""
    known = existing_keys(client, settings, project_id) if client is not None else set()
    texts = already = imported = 0
    labels: Counter[str] = Counter()
    with tqdm(total=total, desc="predicting", unit="text") as progress:  # closed on errors too
        for window in _windows(items, WINDOW):
            texts += len(window)
            todo = [item for item in window if item.key not in known]
            already += len(window) - len(todo)
            tasks = (
                build_tasks(todo, predict, model_version, target_bar=settings.target_bar)
                if todo
                else []
            )
            labels.update(task["data"]["model_label"] for task in tasks)
            progress.update(len(window))
            if client is None:
                continue
            for batch in _batches(tasks, batch_size):
                _import(client, settings, project_id, batch)
                imported += len(batch)
    if imported and client is not None:
        call(
            settings,
            "set the project's model version",
            lambda: client.projects.update(project_id, model_version=model_version),
        )
    logger.info("%d texts read, %d already in the project", texts, already)
    return PushReport(texts, already, imported, model_version, dict(labels))


def _import(
    client: LabelStudio, settings: Settings, project_id: int, batch: list[dict[str, Any]]
) -> None:
    request: Any = batch
    call(
        settings,
        f"import {len(batch)} tasks (rerun push to resume: imported texts are skipped)",
        # No automatic retry: a batch whose answer was lost may have landed. Rerunning push
        # lists what landed and imports the rest.
        lambda: client.projects.import_tasks(
            project_id, request=request, request_options={"max_retries": 0}
        ),
    )


def _batches(tasks: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]


def _windows(items: Iterable[PoolItem], size: int) -> Iterator[list[PoolItem]]:
    window: list[PoolItem] = []
    for item in items:
        window.append(item)
        if len(window) == size:
            yield window
            window = []
    if window:
        yield window
