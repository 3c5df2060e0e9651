"""`python -m evaluation evidence` on the released model: the Toxic Spans files it scores are the
ones asked for, so tuning can leave the test split unread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.evidence import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_only_the_named_toxic_spans_file_is_scored(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "evidence.json"
    args = ["--model", str(ROOT / "release"), "--data-dir", str(data_dir), "--limit", "20"]
    assert main([*args, "--toxic-spans", "trial", "--out", str(out)]) == 0
    spans = json.loads(out.read_text())["toxic_spans"]
    assert list(spans) == ["trial"]
    assert spans["trial"]["posts"] == 20 and 0.0 <= spans["trial"]["char_f1"] <= 1.0


def test_an_unknown_toxic_spans_file_is_refused_with_the_choices(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--model", str(ROOT / "release"), "--toxic-spans", "dev"])
    assert stopped.value.code == 2
    assert "choose from" in capsys.readouterr().err
