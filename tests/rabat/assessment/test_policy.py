"""Policy validation: the shipped file loads; mistakes are pinned by message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rabat.assessment.policy import load_policy

ROOT = Path(__file__).resolve().parents[3]


def edited(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load((ROOT / "configs/rabat.yaml").read_text())
    change(raw)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_shipped_policy_loads() -> None:
    policy = load_policy(ROOT / "configs/rabat.yaml")
    assert (
        policy.levels.of(0.1) == "low"
        and policy.levels.of(0.5) == "medium"
        and policy.levels.of(0.9) == "high"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: r["decision"]["weights"].pop("speaker"),
            r"decision.weights must have exactly the keys",
        ),
        (lambda r: r["decision"]["floors"].update(mood=0.1), r"unknown factor\(s\) \['mood'\]"),
        (
            lambda r: r["levels"].update(medium=0.8),
            r"levels.medium \(0.8\) must be below levels.high",
        ),
        (
            lambda r: r["content_form"]["label_severity"].pop("incitement"),
            r"label_severity must have exactly",
        ),
        (lambda r: r["speaker"]["roles"].pop("official"), "speaker.roles must have exactly"),
        (lambda r: r["markers"]["time"].append("(unclosed"), "not a valid regular expression"),
        (lambda r: r.update(colour="red"), "colour"),
        (lambda r: r["decision"].update(bar=2), "bar"),
    ],
)
def test_invalid_policy_is_rejected_with_the_reason(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        load_policy(edited(tmp_path, change))


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"configs/rabat\.yaml"):
        load_policy(tmp_path / "nope.yaml")
