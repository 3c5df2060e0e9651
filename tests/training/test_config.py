"""Training-config validation: errors pinned by message."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabat.defaults import (
    DEFAULT_CONFIG,
    DEFAULT_MODEL_DIR,
    ENGLISH_CONFIG,
    ENGLISH_MODEL_DIR,
    RELEASE_CONFIG,
)
from training.config import DATA_DIR_ENV, TrainConfig, load_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_shipped_configs_load() -> None:
    default = load_config(ROOT / "configs/train.yaml")
    smoke = load_config(ROOT / "configs/smoke.yaml")
    assert smoke.corpora == default.corpora  # experiments inherit what they do not change
    assert smoke.name == "rabat-smoke" and smoke.train.max_length == 32
    assert smoke.train.learning_rate == default.train.learning_rate
    multilingual = load_config(ROOT / "configs/multilingual.yaml")
    assert multilingual.capped_languages == ["en"] and default.capped_languages is None


@pytest.mark.parametrize(
    ("config", "model_dir"),
    [
        (DEFAULT_CONFIG, DEFAULT_MODEL_DIR),
        (RELEASE_CONFIG, DEFAULT_MODEL_DIR),
        (ENGLISH_CONFIG, ENGLISH_MODEL_DIR),
    ],
)
def test_each_default_config_publishes_where_its_model_is_looked_for(
    config: Path, model_dir: Path
) -> None:
    loaded = load_config(ROOT / config)
    assert Path(loaded.output_dir) / loaded.name / "latest" == model_dir


def test_retraining_continues_from_the_release_with_replay() -> None:
    retrain, release = load_config(ROOT / DEFAULT_CONFIG), load_config(ROOT / RELEASE_CONFIG)
    assert retrain.base_model == "release"
    assert retrain.replay_rows and retrain.replay_eval_rows
    assert retrain.corpora == release.corpora  # the replay comes from the release's own data
    assert retrain.split == release.split
    assert retrain.train.max_length == release.train.max_length


def test_the_release_recipe_reads_only_corpora_that_allow_commercial_use() -> None:
    from training.corpora import recipe

    release = load_config(ROOT / RELEASE_CONFIG)
    assert release.allow_noncommercial is False
    assert all(recipe(name).commercial is True for name in release.corpora)


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "corpora: {olid: 1}\ntrain: {epochz: 3}\n")
    with pytest.raises(
        ValueError, match=r"(?s)invalid training config .*epochz.*Extra inputs are not permitted"
    ):
        load_config(path)


def test_unknown_corpus_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown corpus \['reddit'\]"):
        load_config(write(tmp_path, "corpora: {reddit: 1}\n"))


def test_cap_on_unknown_label_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"train_caps has unknown label\(s\) \['hate'\]"):
        load_config(write(tmp_path, "corpora: {olid: 1}\ntrain_caps: {hate: 5}\n"))


def test_language_caps_need_capped_languages(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"capped_languages is not set: set it"):
        load_config(write(tmp_path, "corpora: {olid: 1}\nlanguage_caps: {none: 5}\n"))
    with pytest.raises(ValueError, match=r"language_caps must be positive row counts"):
        load_config(
            write(
                tmp_path, "corpora: {olid: 1}\ncapped_languages: [en]\nlanguage_caps: {none: 0}\n"
            )
        )


def test_non_positive_weight_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="corpus weights must be > 0"):
        load_config(write(tmp_path, "corpora: {olid: 0}\n"))


def test_split_must_leave_training_rows(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least half"):
        load_config(write(tmp_path, "corpora: {olid: 1}\nsplit: {dev: 0.3, test: 0.3}\n"))


def test_missing_config_and_base_cycle(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        load_config(tmp_path / "absent.yaml")
    write(tmp_path, "base: b.yaml\n", "a.yaml")
    write(tmp_path, "base: a.yaml\n", "b.yaml")
    with pytest.raises(ValueError, match="includes itself"):
        load_config(tmp_path / "a.yaml")


def test_data_dir_env_overrides_config(monkeypatch: pytest.MonkeyPatch) -> None:
    config = TrainConfig(corpora={"olid": 1.0}, data_dir=Path("/nowhere"))
    monkeypatch.setenv(DATA_DIR_ENV, "/elsewhere")
    assert config.resolved_data_dir() == Path("/elsewhere")
    monkeypatch.delenv(DATA_DIR_ENV)
    assert config.resolved_data_dir() == Path("/nowhere")


def test_fingerprint_ignores_paths_not_training() -> None:
    a = TrainConfig(corpora={"olid": 1.0})
    b = TrainConfig(corpora={"olid": 1.0}, output_dir=Path("elsewhere"))
    c = TrainConfig(corpora={"olid": 0.5})
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
