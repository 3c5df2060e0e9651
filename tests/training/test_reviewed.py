"""Reviewed rows as training records, and the config that names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.review.reviews import parse_annotation, resolve
from training.config import load_config
from training.reviewed import load_reviews

ROOT = Path(__file__).resolve().parents[2]


def _row(task: int, text: str, *labels: str, groups: tuple[str, ...] = ()) -> str:
    reviews = [
        parse_annotation(
            {
                "id": i,
                "result": [
                    {"from_name": "label", "value": {"choices": [label]}},
                    *(
                        [{"from_name": "target_groups", "value": {"choices": list(groups)}}]
                        if groups
                        else []
                    ),
                ],
            },
            f"r{i}",
            task,
        )
        for i, label in enumerate(labels)
    ]
    return resolve(task, text, reviews).to_json()


def test_labelled_reviews_become_records_and_ties_stay_out(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text(
        "\n".join(
            [
                _row(1, "  have a  nice day ", "none"),
                _row(2, "you are a silly goose", "hate_speech", "hate_speech", groups=("gender",)),
                _row(3, "tea or coffee", "none", "offensive"),
                _row(4, "grey skies", "hate_speech"),
            ]
        )
        + "\n"
    )
    records = load_reviews([path]).to_pandas().set_index("text")
    assert list(records.index) == ["have a nice day", "you are a silly goose", "grey skies"]
    assert set(records["source"]) == {"review"}
    assert records.loc["you are a silly goose", "targets"].tolist() == ["gender"]
    assert bool(records.loc["you are a silly goose", "targets_known"]) is True
    assert bool(records.loc["grey skies", "targets_known"]) is False  # hateful, none ticked
    assert records.loc["have a nice day", "call_to_violence"] == 0  # implied by `none`


def test_reviewers_evidence_spans_train_the_evidence_head(tmp_path: Path) -> None:
    text = "  you are a  silly goose"  # the clean-up moves offsets; the spans follow
    start = text.index("silly")
    marked = {
        "id": 0,
        "result": [
            {"from_name": "label", "value": {"choices": ["offensive"]}},
            {
                "from_name": "rationale",
                "value": {
                    "start": start,
                    "end": start + 5,
                    "text": "silly",
                    "labels": ["evidence"],
                },
            },
            {
                "from_name": "rationale",
                "value": {"start": 0, "end": 5, "text": "  you", "labels": ["target"]},
            },
        ],
    }
    rows = [
        resolve(1, text, [parse_annotation(marked, "r0", 1, text)]).to_json(),
        _row(2, "grey skies", "offensive"),
    ]
    path = tmp_path / "reviews.jsonl"
    path.write_text("\n".join(rows) + "\n")
    records = load_reviews([path]).to_pandas().set_index("text")
    row = records.loc["you are a silly goose"]
    assert bool(row["evidence_known"]) and list(row["evidence"]) == [10, 15]  # "silly" only
    assert bool(records.loc["grey skies", "evidence_known"]) is False  # nothing marked


def test_the_config_resolves_reviews_and_refuses_missing_files(tmp_path: Path) -> None:
    target = tmp_path / "20261121T000000Z.jsonl"
    target.write_text(_row(1, "have a nice day", "none") + "\n")
    (tmp_path / "latest.jsonl").symlink_to(target.name)
    config = load_config(ROOT / "configs/smoke.yaml", reviews=[str(tmp_path / "latest.jsonl")])
    assert config.reviews == [target]  # the versioned file, so the fingerprint names the pull
    other = load_config(ROOT / "configs/smoke.yaml")
    assert other.reviews == [] and other.fingerprint() != config.fingerprint()
    with pytest.raises(ValueError, match=r"reviews file\(s\).*not found.*annotation pull"):
        load_config(ROOT / "configs/smoke.yaml", reviews=[str(tmp_path / "missing.jsonl")])


def test_review_files_without_a_reviewed_row_say_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import training.train
    from training.__main__ import main
    from training.reviewed import NoReviewedRows

    empty = tmp_path / "latest.jsonl"
    empty.write_text("")  # a pull before anyone reviewed
    with pytest.raises(NoReviewedRows, match=r"latest\.jsonl: no reviewed rows\. Review some"):
        load_reviews([empty])
    ties = tmp_path / "ties.jsonl"
    ties.write_text(_row(3, "tea or coffee", "none", "offensive") + "\n")
    with pytest.raises(NoReviewedRows, match="only ties"):
        load_reviews([ties])

    def train(config: object, fresh: bool = False) -> None:  # the loop reads the reviews first
        load_reviews([empty])

    monkeypatch.setattr(training.train, "train", train)
    smoke = ROOT / "configs" / "smoke.yaml"
    assert main(["--config", str(smoke), "--reviews", str(empty)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "no reviewed rows" in error and "\n" not in error
