"""Held-out evaluation files: HateXplain's official validation split and the perturbed dev."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evaluation.heldout import main, write_hatexplain_val, write_perturbed_dev
from rabat.labels import LABELS
from training.labelled_files import read_labelled


def test_hatexplain_validation_is_written_with_majority_labels(
    data_dir: Path, tmp_path: Path
) -> None:
    rows = read_labelled(write_hatexplain_val(data_dir, tmp_path))
    counts = Counter(row.label for row in rows)
    assert set(counts) == {"none", "offensive", "hate_speech"} and len(rows) > 1800
    assert counts["none"] > counts["offensive"]  # README: normal 781, offensive 548


@pytest.mark.slow
def test_the_perturbed_dev_keeps_rows_and_labels_and_changes_texts(
    smoke_model_dir: Path, tmp_path: Path
) -> None:
    dev = [json.loads(line) for line in (smoke_model_dir / "splits/dev.jsonl").open()]
    perturbed = read_labelled(write_perturbed_dev(smoke_model_dir, tmp_path))
    assert [r.label for r in perturbed] == [r["label"] for r in dev]
    changed = sum(p.text != r["text"] for p, r in zip(perturbed, dev, strict=True))
    assert changed > 0.8 * len(dev)
    assert {r.label for r in perturbed} <= set(LABELS)
    assert (
        write_perturbed_dev(smoke_model_dir, tmp_path / "again").read_text()
        == (tmp_path / "dev_perturbed.jsonl").read_text()
    )


def test_the_cli_names_a_bad_model_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--model", str(tmp_path / "nowhere")]) == 2
    assert "error:" in capsys.readouterr().err
