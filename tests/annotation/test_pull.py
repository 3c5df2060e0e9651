"""Export conversion on a real Label Studio export (tests/annotation/data, made by
capture_export.py), and the versioned training file."""

from __future__ import annotations

import json
from pathlib import Path

from annotation.pull import convert, write_version
from rabat.review.reviews import read_reviews

DATA = Path(__file__).parent / "data"


def _export() -> tuple[list[dict], dict[int, str]]:
    exported = json.loads((DATA / "ls_export.json").read_text())
    names = {int(k): v for k, v in json.loads((DATA / "ls_users.json").read_text()).items()}
    return exported, names


def test_a_real_export_becomes_resolved_tasks() -> None:
    exported, names = _export()
    conversion = convert(exported, names)
    by_text = {t.text: t for t in conversion.tasks}
    assert set(by_text) == {
        "have a nice day",
        "you are a silly goose",
        "the weather is grey",
        "tea or coffee",
    }
    majority = by_text["have a nice day"]
    assert (majority.label, majority.resolution) == ("none", "majority")
    assert majority.label_votes == {"none": 2, "offensive": 1}
    assert {r.annotator for r in majority.annotations} == set(names.values())
    assert majority.factors["intent"] == "low" and majority.factors["context"] is None
    assert majority.rationale[0]["text"] == "silly" and majority.notes[0] == "a placeholder note"
    tie = by_text["you are a silly goose"]
    assert tie.label is None and tie.ties == ["label", "intent"]
    skipped = by_text["the weather is grey"]
    assert skipped.resolution == "single" and len(skipped.annotations) == 1
    assert conversion.cancelled == 1 and conversion.unreadable == []


def test_an_unreadable_annotation_is_reported_and_the_rest_kept() -> None:
    exported, names = _export()
    exported[0]["annotations"][0]["result"][0]["value"]["choices"] = ["threat"]
    conversion = convert(exported, names)
    assert len(conversion.unreadable) == 1
    assert "threat" in conversion.unreadable[0]["error"]
    assert len(conversion.tasks) == 4  # its task still has the other reviews


def test_versions_are_written_whole_and_an_unchanged_pull_reuses_the_last(tmp_path: Path) -> None:
    exported, names = _export()
    first, report = write_version(convert(exported, names), tmp_path, {"id": 7})
    assert (tmp_path / "latest.jsonl").resolve() == first
    assert [r["task_id"] for r in read_reviews(first)] == [e["id"] for e in exported]
    assert report["trainable"] == 3 and report["ties"] == 1 and report["cancelled"] == 1
    assert report["agreement"]["tasks_with_2_or_more_reviews"] == 2
    again, _ = write_version(convert(exported, names), tmp_path, {"id": 7})
    assert again == first
    exported[2]["annotations"].pop()  # a reviewer's annotation removed in Label Studio
    third, _ = write_version(convert(exported, names), tmp_path, {"id": 7})
    assert third != first and first.is_file()  # the older version is kept
    assert (tmp_path / "latest.jsonl").resolve() == third
    assert not list(tmp_path.glob(".*.tmp"))
