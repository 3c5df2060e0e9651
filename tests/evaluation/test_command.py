"""`python -m evaluation`: one command whose subcommands run the measuring modules; `training`
never imports `evaluation`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from evaluation.__main__ import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_runs_its_module_with_the_rest_of_the_arguments(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert callable(importlib.import_module(COMMANDS[name]).main)
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    assert f"python -m evaluation {name}" in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error_that_lists_the_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["train"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'train'" in capsys.readouterr().err


def test_training_never_imports_evaluation() -> None:
    found = []
    for path in sorted((ROOT / "training").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "evaluation"
            ]
    assert not found, (
        f"training must not import evaluation (it measures what training builds): {found}"
    )
