"""`pull`: the project's annotations become a versioned training file plus an agreement report.

    reviews/project-<id>/<UTC time>.jsonl          one resolved task per line (rabat.review.reviews)
    reviews/project-<id>/<UTC time>.report.json    counts, agreement, file checksum
    reviews/project-<id>/latest.jsonl              link to the newest file

Pull only reads from Label Studio: annotations are never changed there. A version is both files
or neither: they are staged under temporary names and renamed once both are complete, and any
error (a full disk included) removes what was staged (`rabat.store.files`). When nothing
changed since the last pull, no new version is made.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio

from annotation.agreement import agreement_report
from annotation.client import call
from annotation.gold import GOLD, check_gold, gold_accuracy, vote_weights
from annotation.settings import Settings
from rabat.review.labeling import TEXT
from rabat.review.reviews import SCHEMA, Review, ReviewedTask, parse_annotation, resolve
from rabat.store.files import point_link, remove_stale, staged_together

logger = logging.getLogger(__name__)


@dataclass
class Conversion:
    """An export read into resolved tasks, with what was left out and why."""

    tasks: list[ReviewedTask] = field(default_factory=list)
    cancelled: int = 0
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    gold: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GoldPolicy:
    """How gold tasks judge reviewers (RABAT_LS_GOLD_*)."""

    bar: float = 0.7
    min_tasks: int = 5
    weights: bool = False


def export_tasks(client: LabelStudio, settings: Settings, project_id: int) -> list[dict[str, Any]]:
    """Every annotated task of the project, as Label Studio's JSON export gives them."""

    def fetch() -> list[dict[str, Any]]:
        chunks = client.projects.exports.download_sync(project_id, export_type="JSON")
        data: list[dict[str, Any]] = json.loads(b"".join(chunks))
        return data

    return call(settings, "export the project's annotations", fetch, read=True)


def annotator_names(client: LabelStudio, settings: Settings) -> dict[int, str]:
    """User id -> e-mail (the export names annotators by id only)."""

    def fetch() -> dict[int, str]:
        users: Any = client.users.list()
        return {int(u.id): str(u.email or u.username or u.id) for u in users}

    return call(settings, "list users", fetch, read=True)


def convert(
    exported: Sequence[Mapping[str, Any]],
    names: Mapping[int, str],
    gold: GoldPolicy | None = None,
) -> Conversion:
    """Resolve each task's submitted (not cancelled) annotations; bad ones are reported.
    Reviewers' accuracy on gold tasks is measured first (`annotation.gold`), so that, when
    `gold.weights` is on, it can weigh their votes."""
    gold = gold or GoldPolicy()
    out = Conversion()
    parsed: list[tuple[Mapping[str, Any], list[Review]]] = []
    for task in exported:
        reviews: list[Review] = []
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                out.cancelled += 1
                continue
            try:
                who = _annotator(annotation.get("completed_by"), names)
                text = str(task["data"][TEXT])
                reviews.append(parse_annotation(annotation, who, int(task["id"]), text))
            except (ValueError, KeyError, TypeError) as err:
                out.unreadable.append(
                    {"task": task["id"], "annotation": annotation.get("id"), "error": str(err)}
                )
        if reviews:
            parsed.append((task, reviews))
    out.gold = gold_accuracy(
        ((_gold_of(task), reviews) for task, reviews in parsed), gold.bar, gold.min_tasks
    )
    out.gold["weighted"] = gold.weights
    weights = vote_weights(out.gold) if gold.weights else None
    for task, reviews in parsed:
        out.tasks.append(resolve(int(task["id"]), str(task["data"][TEXT]), reviews, weights))
    return out


def _gold_of(task: Mapping[str, Any]) -> str | None:
    value = (task.get("data") or {}).get(GOLD)
    return None if value in (None, "") else check_gold(value, f"task {task.get('id')}")


def write_version(
    conversion: Conversion, out_dir: Path, project: Mapping[str, Any]
) -> tuple[Path, dict[str, Any]]:
    """Write the training file and its report; returns the file (an older identical one is
    reused) and the report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = "".join(task.to_json() + "\n" for task in conversion.tasks)
    digest = hashlib.sha256(lines.encode("utf-8")).hexdigest()
    latest = out_dir / "latest.jsonl"
    if latest.is_file():
        previous = latest.resolve()
        previous_report = _report_of(previous)
        if previous_report.get("sha256") == digest:
            logger.info("nothing changed since %s", previous.name)
            return previous, previous_report
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = out_dir / f"{stamp}.jsonl"
    report = {
        "schema": SCHEMA,
        "file": path.name,
        "sha256": digest,
        "pulled_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "project": dict(project),
        "tasks": len(conversion.tasks),
        "trainable": sum(1 for t in conversion.tasks if t.label is not None),
        "ties": sum(1 for t in conversion.tasks if t.label is None),
        "labels": dict(Counter(t.label for t in conversion.tasks if t.label is not None)),
        "annotations": sum(len(t.annotations) for t in conversion.tasks),
        "cancelled": conversion.cancelled,
        "unreadable": conversion.unreadable,
        "agreement": agreement_report(conversion.tasks),
        "gold": conversion.gold,
    }
    remove_stale(out_dir)
    # The report first, the reviews file last: a version is the pair, and readers (training,
    # the next pull) look for the .jsonl. Either file failing (a full disk) removes both.
    with staged_together([_report_path(path), path]) as (report_tmp, lines_tmp):
        _write(report_tmp, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        _write(lines_tmp, lines)
    try:
        point_link(latest, path.name)
    except OSError:
        path.unlink(missing_ok=True)  # a version that latest cannot name is not made
        _report_path(path).unlink(missing_ok=True)
        raise
    return path, report


def _annotator(user: Any, names: Mapping[int, str]) -> str:
    if isinstance(user, dict):  # some exports expand the user
        return str(user.get("email") or user.get("id"))
    return names.get(int(user), f"user-{user}") if user is not None else "unknown"


def _report_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".jsonl") + ".report.json")


def _report_of(path: Path) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads(_report_path(path).read_text(encoding="utf-8"))
        return report
    except (OSError, ValueError):
        return {}


def _write(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
