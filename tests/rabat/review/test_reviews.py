"""Reviewers' forms read and resolved: majority, ties flagged, "can't tell" as missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rabat.review.reviews import SCHEMA, Review, labelled, parse_annotation, read_reviews, resolve

TEXT = "you are a silly goose"


def _choice(name: str, *values: str) -> dict[str, Any]:
    return {
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": list(values)},
    }


def _review(
    label: str | None, who: str, intent: str | None = None, groups: tuple[str, ...] = ()
) -> Review:
    result = [_choice("label", label)] if label else []
    if intent:
        result.append(_choice("factor_intent", intent))
    if groups:
        result.append(_choice("target_groups", *groups))
    annotation = {"id": hash(who) % 1000, "result": result, "updated_at": f"2026-11-21T0{len(who)}"}
    return parse_annotation(annotation, who, task_id=1)


def test_an_annotation_reads_every_field_and_cant_tell_is_missing() -> None:
    annotation = {
        "id": 9,
        "created_at": "2026-11-21T08:00:00Z",
        "updated_at": "2026-11-21T08:01:00Z",
        "lead_time": 12.5,
        "result": [
            _choice("label", "offensive"),
            _choice("factor_intent", "low"),
            _choice("factor_context", "can't tell"),
            _choice("target_groups", "religion", "gender"),
            {
                "from_name": "rationale",
                "value": {"start": 10, "end": 15, "text": "silly", "labels": ["evidence"]},
            },
            {"from_name": "note", "value": {"text": ["mild"]}},
        ],
    }
    review = parse_annotation(annotation, "ann@rabat.local", task_id=3)
    assert review.label == "offensive"
    assert review.factors["intent"] == "low" and review.factors["context"] is None
    assert review.factors["speaker"] is None
    assert review.target_groups == ["gender", "religion"]
    assert review.rationale == [{"start": 10, "end": 15, "text": "silly", "kind": "evidence"}]
    assert review.note == "mild" and review.lead_time == 12.5


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ([_choice("label", "threat")], r"task 3, annotation 9: 'label' has \['threat'\]"),
        ([_choice("label", "none", "offensive")], "should hold one choice"),
        ([_choice("factor_intent", "extreme")], "factor_intent"),
        ([_choice("target_groups", "aliens")], "annotation setup"),
    ],
)
def test_unknown_values_are_errors_that_name_the_annotation(
    result: list[Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse_annotation({"id": 9, "result": result}, "a", task_id=3)


def test_the_label_goes_to_the_majority_and_factors_and_groups_resolve_alike() -> None:
    task = resolve(
        1,
        TEXT,
        [
            _review("offensive", "a", "low", ("gender",)),
            _review("offensive", "bb", "medium", ("gender", "religion")),
            _review("hate_speech", "ccc", "medium"),
        ],
    )
    assert (task.label, task.resolution, task.ties) == ("offensive", "majority", [])
    assert task.label_votes == {"hate_speech": 1, "offensive": 2}
    assert task.factors["intent"] == "medium"
    assert task.target_groups == ["gender"]  # religion: one of three
    assert task.updated_at == "2026-11-21T03"


def test_a_tie_is_flagged_not_guessed_and_training_leaves_it_out() -> None:
    tie = resolve(2, TEXT, [_review("none", "a", "low"), _review("offensive", "b", "high")])
    assert tie.label is None and tie.resolution == "tie"
    assert tie.ties == ["label", "intent"]
    single = resolve(3, TEXT, [_review("none", "a")])
    unanimous = resolve(4, TEXT, [_review("none", "a"), _review("none", "b")])
    assert (single.resolution, unanimous.resolution) == ("single", "unanimous")
    rows = [json.loads(t.to_json()) for t in (tie, single, unanimous)]
    assert [r["task_id"] for r in labelled(rows)] == [3, 4]
    with pytest.raises(ValueError, match="no reviews"):
        resolve(5, TEXT, [])


def test_the_training_file_round_trips_and_bad_files_say_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text(resolve(3, TEXT, [_review("none", "a")]).to_json() + "\n\n")
    rows = read_reviews(path)
    assert rows[0]["schema"] == SCHEMA and rows[0]["text"] == TEXT
    path.write_text(json.dumps({**rows[0], "schema": "rabat.reviews/0"}) + "\n")
    with pytest.raises(ValueError, match=r"reviews.jsonl, line 1: schema 'rabat.reviews/0'.*pull"):
        read_reviews(path)
    path.write_text(json.dumps({**rows[0], "label": "threat"}) + "\n")
    with pytest.raises(ValueError, match="unknown label 'threat'"):
        read_reviews(path)
    path.write_text("{not json\n")
    with pytest.raises(ValueError, match=r"reviews\.jsonl, line 1: invalid JSON"):
        read_reviews(path)
    path.write_text("")  # a project with no reviewed task yet
    assert read_reviews(path) == []
    with pytest.raises(ValueError, match="annotation pull"):
        read_reviews(tmp_path / "missing.jsonl")


def test_spans_come_back_from_utf16_to_code_points() -> None:
    text = "\U0001f600 you are a silly goose"
    start = text.index("silly")
    span = {"start": start + 1, "end": start + 6, "text": "silly", "labels": ["evidence"]}
    annotation = {"id": 1, "result": [{"from_name": "rationale", "value": span}]}
    review = parse_annotation(annotation, "a", task_id=1, text=text)
    (found,) = review.rationale
    assert text[found["start"] : found["end"]] == "silly"


def test_a_reviewer_who_submitted_twice_votes_once_with_the_later_form() -> None:
    first = _review("offensive", "a")
    later = Review(**{**first.__dict__, "label": "none", "annotation_id": 2, "updated_at": "z"})
    task = resolve(1, TEXT, [first, later, _review("offensive", "bb")])
    assert task.label is None and task.resolution == "tie"  # a: none, bb: offensive
    assert task.label_votes == {"none": 1, "offensive": 1}
    assert len(task.annotations) == 3  # every submission is kept in the file
