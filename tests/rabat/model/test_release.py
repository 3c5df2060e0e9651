"""The released model in release/: whole (every file, every checksum), small enough for git, its
card agreeing with its files, trained on data that allows commercial use, and predicting what
its record says on the fixed texts. Installing it, and what installing refuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rabat.model.loader import load_classifier
from rabat.model.release import (
    CHECK_TEXTS,
    RECORD,
    RELEASE_FILES,
    install,
    read_checksums,
    verify,
)

ROOT = Path(__file__).resolve().parents[3]
RELEASE = ROOT / "release"
MAX_BYTES = 60 * 1000 * 1000


def read(name: str) -> dict:
    return json.loads((RELEASE / name).read_text(encoding="utf-8"))


def test_the_release_is_whole_and_every_file_matches_its_checksum() -> None:
    assert verify(RELEASE) == []
    assert set(read_checksums(RELEASE)) == set(RELEASE_FILES) - {"SHA256SUMS"}
    assert {p.name for p in RELEASE.iterdir()} == set(RELEASE_FILES)


def test_the_release_fits_in_git() -> None:
    assert sum(p.stat().st_size for p in RELEASE.iterdir()) <= MAX_BYTES


def test_its_card_matches_its_files() -> None:
    version = read("rabat_model.json")["version"]
    assert read(RECORD)["version"] == version
    assert read("onnx_export.json")["version"] == version
    assert read("metrics.json")["version"] == version
    card = (RELEASE / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert version in card
    manifest = read("data_manifest.json")
    for name, source in manifest["sources"].items():  # every corpus and its licence
        assert f"| {name} | {source['language']} | {source['licence']} |" in card
    vocab = read(RECORD)["vocabulary"]
    assert read("config.json")["vocab_size"] == vocab["pieces_kept"]
    tokenizer = read("tokenizer.json")
    assert len(tokenizer["model"]["vocab"]) == vocab["pieces_kept"]


def test_the_default_release_is_trained_on_commercially_usable_data_only() -> None:
    licences = read("data_manifest.json")["licences"]
    assert licences["free_of_noncommercial_data"] is True
    assert licences["noncommercial_corpora"] == []
    assert licences["unstated_licence_corpora"] == []


def test_it_predicts_what_its_record_says_on_the_fixed_texts() -> None:
    recorded = read(RECORD)["check"]
    assert [row["text"] for row in recorded] == list(CHECK_TEXTS)
    found = load_classifier(RELEASE, "onnx-int8", threads=1).predict(list(CHECK_TEXTS))
    for row, prediction in zip(recorded, found, strict=True):
        assert prediction.label == row["label"], row["text"]
        for label, score in row["scores"].items():
            assert prediction.scores[label] == pytest.approx(score, abs=1e-4), row["text"]


def copy_release(target: Path) -> Path:
    shutil.copytree(RELEASE, target)
    return target


def test_install_copies_the_release_and_points_latest_at_it(tmp_path: Path) -> None:
    models = tmp_path / "models"
    latest = install(RELEASE, models)
    version = read("rabat_model.json")["version"]
    assert latest == models / "rabat-release" / "latest"
    assert latest.resolve() == (models / "rabat-release" / version).resolve()
    assert verify(latest) == []
    assert install(RELEASE, models) == latest  # a second time changes nothing


def test_install_leaves_a_retrained_model_served(tmp_path: Path) -> None:
    models = tmp_path / "models"
    retrained = models / "rabat-release" / "20990101-000000-retrained"
    retrained.mkdir(parents=True)
    (retrained / "rabat_model.json").write_text("{}")
    (models / "rabat-release" / "latest").symlink_to(retrained.name)
    latest = install(RELEASE, models)
    assert latest.resolve() == retrained.resolve()
    version = read("rabat_model.json")["version"]
    assert (models / "rabat-release" / version / RECORD).is_file()  # installed beside it


def test_a_damaged_release_is_refused_with_the_file_and_the_fix(tmp_path: Path) -> None:
    release = copy_release(tmp_path / "release")
    with (release / "metrics.json").open("a", encoding="utf-8") as handle:
        handle.write(" ")
    with pytest.raises(ValueError, match=r"metrics\.json does not match.*git checkout -- release/"):
        install(release, tmp_path / "models")
    assert not (tmp_path / "models").exists()
    (release / "tokenizer.json").unlink()
    assert verify(release) == [f"{release} lacks tokenizer.json"]
