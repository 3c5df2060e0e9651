"""The case bank: the shipped bank validates, the held-apart part is stable and stratified, the
agreement figures match a hand computation, and `make cases` runs end to end on a small
fixture bank (placeholder texts: the real bank's quotes stay in the data)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evaluation import cases as bank_module
from evaluation.case_bank import BANK, OUTCOMES, load_bank, part_of
from evaluation.case_tables import table_rows
from evaluation.cases import agreement, main

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "cases" / "fixture.jsonl"


def test_the_shipped_bank_is_valid_balanced_and_large_enough() -> None:
    cases = load_bank(BANK)
    assert len(cases) >= 40
    counts = Counter(c.outcome for c in cases)
    assert set(counts) == set(OUTCOMES)
    assert max(counts.values()) <= 1.5 * min(counts.values())
    assert all(c.citation and c.standard and c.finding for c in cases)


def test_a_third_of_each_outcome_is_held_apart_and_adding_a_case_moves_few() -> None:
    cases = load_bank(BANK)
    parts = part_of(cases)
    for outcome in OUTCOMES:
        ids = [c.id for c in cases if c.outcome == outcome]
        held = sum(parts[i] == "held_apart" for i in ids)
        assert held == len(ids) // 3
    grown = part_of([*cases, cases[0].model_copy(update={"id": "zz-new-case"})])
    moved = sum(grown[i] != parts[i] for i in parts)
    assert moved <= len(cases) // 3


def test_agreement_against_a_hand_computation() -> None:
    def row(outcome: str, decision: str, label: str) -> dict:
        expected = "met" if outcome == "incitement" else "not_met"
        return {"outcome": outcome, "expected": expected, "decision": decision, "label": label}

    rows = [
        row("incitement", "met", "incitement"),
        row("incitement", "undetermined", "none"),
        row("incitement", "not_met", "hate_speech"),
        row("hate_speech", "not_met", "hate_speech"),
        row("hate_speech", "met", "offensive"),
        row("protected", "not_met", "none"),
        row("protected", "met", "hate_speech"),
        row("protected", "not_met", "offensive"),
    ]
    found = agreement(rows)
    assert found["cases"] == 8
    assert found["decision_agreement"] == pytest.approx(4 / 8)  # rows 1, 4, 6, 8
    assert found["incitement_recall"] == pytest.approx(1 / 3)
    assert found["protected_met"] == pytest.approx(1 / 3)
    assert found["hate_speech_met"] == pytest.approx(1 / 2)
    assert found["undetermined"] == 1
    assert found["label_agreement"] == pytest.approx(4 / 8)  # rows 1, 4, 6, 8
    assert found["confusion"]["incitement"] == {"met": 1, "not_met": 1, "undetermined": 1}


def test_a_bad_case_is_refused_with_its_file_line_and_field(tmp_path: Path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["context"]["speaker"]["purpose"] = "satire"
    path = tmp_path / "bank.jsonl"
    path.write_text("\n".join([lines[0], json.dumps(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bank\.jsonl, line 2: not a valid case") as err:
        load_bank(path)
    assert "purpose" in str(err.value) and "counter_speech" in str(err.value)
    path.write_text(lines[0] + "\n" + lines[0] + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unique"):
        load_bank(path)
    with pytest.raises(FileNotFoundError, match="no case bank"):
        load_bank(tmp_path / "missing")


def test_make_cases_on_a_fixture_bank(
    untrained_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cases.json"
    code = main(
        [
            "--model",
            str(untrained_model_dir),
            "--bank",
            str(FIXTURE),
            "--no-functional",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "| part | cases | agreement |" in printed
    assert "held_apart: outcome \\ decision" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["parts"]["all"]["cases"] == 9
    assert result["parts"]["held_apart"]["cases"] == 3
    assert {r["id"] for r in result["cases"]} == {c.id for c in load_bank(FIXTURE)}
    assert all(r["decision"] in ("met", "not_met", "undetermined") for r in result["cases"])
    assert all(r["summary"].endswith(".") for r in result["cases"])
    confusion = result["parts"]["all"]["confusion"]
    assert sum(sum(v.values()) for v in confusion.values()) == 9
    assert len(table_rows(result)) == 3  # agreement, two confusions (no functional suite)
    assert bank_module.EXPECTED["protected"] == "not_met"


def test_the_case_table_goes_into_the_evaluation_report(
    untrained_model_dir: Path, tmp_path: Path
) -> None:
    from html.parser import HTMLParser

    from evaluation.report import write_report

    result = bank_module.evaluate(untrained_model_dir, FIXTURE)
    page = write_report({}, tmp_path / "eval", {"model_version": "fixture"}, cases=result)
    markdown = (tmp_path / "eval" / "report.md").read_text(encoding="utf-8")
    assert "## The Rabat decision: case bank" in markdown
    assert "| held_apart | 3 |" in markdown

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []

        def handle_data(self, data: str) -> None:
            self.cells.append(data.strip())

    parser = Cells()
    parser.feed(page.read_text(encoding="utf-8"))
    assert "The Rabat decision: case bank" in parser.cells
    assert "all: outcome \\ decision" in parser.cells
    saved = json.loads((tmp_path / "eval" / "metrics.json").read_text(encoding="utf-8"))
    assert saved["cases"]["parts"]["all"]["cases"] == 9


def test_make_cases_runs_on_the_release_which_ships_only_int8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = Path(__file__).resolve().parents[2] / "release"
    out = tmp_path / "cases.json"
    code = main(
        ["--model", str(release), "--bank", str(FIXTURE), "--no-functional", "--json", str(out)]
    )
    assert code == 0 and not (release / "model.safetensors").exists()
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["parts"]["all"]["cases"] == 9
