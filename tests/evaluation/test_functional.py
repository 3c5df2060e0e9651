"""`python -m evaluation functional`: the functional suite per language, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import functional as cli
from training.functional.suite import LANGUAGES, build_cases


def test_the_command_rejects_an_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--model", "nowhere", "--languages", "fr,xx"])
    assert exit_info.value.code == 2
    assert f"expected codes from {','.join(LANGUAGES)}" in capsys.readouterr().err


@pytest.mark.slow
def test_the_command_scores_a_real_model_per_language(
    smoke_model_dir: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "functional.json"
    argv = ["--model", str(smoke_model_dir), "--languages", "es,ar", "--data-dir", str(data_dir)]
    assert cli.main([*argv, "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "## es" in printed and "## ar" in printed and "## all languages" in printed
    results = json.loads(out.read_text())
    assert list(results) == ["es", "ar"]
    for language, found in results.items():
        assert found["cases"] == len(build_cases(data_dir, language=language))
        assert 0 <= found["overall"] <= 1 and found["texts_per_second"] > 0
        assert all(0 <= c["accuracy"] <= 1 for c in found["categories"].values())
        assert f"\n{language} " in printed.split("## all languages")[1]
