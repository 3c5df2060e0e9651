"""Deduplication, split determinism and caps, on synthetic rows and on the real corpora."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rabat.signals import UNKNOWN
from rabat.text.cleaning import dedup_key
from training.config import TrainConfig
from training.dataset import build, cap, deduplicate
from training.sources import licence_summary, thin

ROOT = Path(__file__).resolve().parents[2]


def rows(*items: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "text": t,
                "label": lab,
                "source": s,
                "targets": [],
                "targets_known": False,
                "call_to_violence": UNKNOWN,
                "dehumanisation": UNKNOWN,
                "weight": 1.0,
                "evidence": [],
                "evidence_known": lab == "none",
            }
            for t, lab, s in items
        ]
    )


def test_a_merged_duplicate_keeps_the_rationale_with_the_text_it_indexes() -> None:
    frame = rows(("YOU placeholder!", "offensive", "a"), ("you placeholder", "offensive", "b"))
    frame.at[1, "evidence"], frame.at[1, "evidence_known"] = [4, 15], True
    out, _ = deduplicate(frame)
    (merged,) = out.to_dict("records")
    assert merged["evidence_known"] and merged["text"] == "you placeholder"
    assert merged["text"][4:15] == "placeholder"


def test_duplicates_merge_by_majority() -> None:
    frame = rows(
        ("Hello there!", "none", "a"),
        ("hello there", "none", "b"),
        ("HELLO, there", "offensive", "c"),
    )
    out, stats = deduplicate(frame)
    assert len(out) == 1 and out.iloc[0]["label"] == "none"
    assert stats == {
        "rows_in": 3,
        "rows_out": 1,
        "duplicate_groups": 1,
        "label_conflicts": 1,
        "review_overrides": 0,
    }


def test_a_reviewers_label_overrides_every_corpus_copy() -> None:
    frame = rows(
        ("tea or coffee", "none", "a"),
        ("Tea or coffee!", "none", "b"),
        ("tea or coffee", "offensive", "review"),
        ("grey skies", "none", "review"),
    )
    out, stats = deduplicate(frame)
    labels = dict(zip(out["text"], out["label"], strict=True))
    assert labels == {"tea or coffee": "offensive", "grey skies": "none"}
    assert out.set_index("text").loc["tea or coffee", "source"] == "review"
    assert stats["review_overrides"] == 1
    frame.loc[frame["source"] != "review", "weight"] = 3.0
    out, _ = deduplicate(frame)
    assert out.set_index("text").loc["tea or coffee", "weight"] == 1.0  # the review's weight


def test_duplicate_tie_goes_to_the_more_severe_label() -> None:
    out, _ = deduplicate(
        rows(("same words", "offensive", "a"), ("Same words.", "hate_speech", "b"))
    )
    assert out.iloc[0]["label"] == "hate_speech"


def test_merge_keeps_known_signals() -> None:
    frame = rows(("a b c", "incitement", "x"), ("a b c", "incitement", "y"))
    frame.loc[1, "call_to_violence"] = 1
    out, _ = deduplicate(frame)
    assert out.iloc[0]["call_to_violence"] == 1


def test_cap_limits_each_label() -> None:
    frame = rows(*[(f"t{i}", "none", "a") for i in range(10)], ("x", "incitement", "a"))
    frame["key"] = frame["text"]
    out = cap(frame, {"none": 4}, seed=1)
    assert out["label"].value_counts().to_dict() == {"none": 4, "incitement": 1}


def test_cap_applies_only_to_the_capped_languages() -> None:
    frame = rows(
        *[(f"t{i}", "none", "a") for i in range(10)], *[(f"f{i}", "none", "b") for i in range(6)]
    )
    frame["key"] = frame["text"]
    frame["language"] = ["en"] * 10 + ["fr"] * 6
    out = cap(frame, {"none": 4}, seed=1, languages=["en"])
    assert out["language"].value_counts().to_dict() == {"en": 4, "fr": 6}
    assert cap(frame, {"none": 4}, seed=1)["label"].value_counts().to_dict() == {"none": 4}


def test_language_caps_cap_each_other_language_on_its_own() -> None:
    frame = rows(
        *[(f"e{i}", "none", "a") for i in range(10)],
        *[(f"f{i}", "none", "b") for i in range(6)],
        *[(f"d{i}", "none", "c") for i in range(5)],
        *[(f"h{i}", "hate_speech", "c") for i in range(5)],
    )
    frame["key"] = frame["text"]
    frame["language"] = ["en"] * 10 + ["fr"] * 6 + ["de"] * 10
    out = cap(frame, {"none": 4}, seed=1, languages=["en"], language_caps={"none": 2})
    counts = out.groupby(["language", "label"]).size().to_dict()
    assert counts == {
        ("en", "none"): 4,
        ("fr", "none"): 2,
        ("de", "none"): 2,
        ("de", "hate_speech"): 5,
    }


def test_thinning_a_corpus_keeps_its_rare_labels_whole() -> None:
    frame = rows(
        *[(f"o{i}", "offensive", "a") for i in range(90)],
        *[(f"h{i}", "hate_speech", "a") for i in range(8)],
        ("i", "incitement", "a"),
    )
    out = thin(frame, 30, seed=1)
    assert len(out) == 30
    assert out["label"].value_counts().to_dict() == {
        "offensive": 21,
        "hate_speech": 8,
        "incitement": 1,
    }
    assert thin(frame, 500, seed=1).equals(frame)


def test_the_licence_summary_flags_noncommercial_and_unstated_corpora() -> None:
    summary = licence_summary({"davidson": {}, "qian_counter_speech": {}, "gab_hate": {}}, [])
    assert summary["noncommercial_corpora"] == ["qian_counter_speech"]
    assert summary["unstated_licence_corpora"] == ["gab_hate"]
    assert summary["free_of_noncommercial_data"] is False
    assert summary["per_corpus"]["qian_counter_speech"] == "CC-BY-NC-4.0"
    clean = licence_summary({"davidson": {}}, ["qian_counter_speech"])
    assert clean["free_of_noncommercial_data"] is True
    assert clean["excluded_noncommercial"] == ["qian_counter_speech"]


def test_allow_noncommercial_false_leaves_the_noncommercial_corpus_out(data_dir: Path) -> None:
    config = TrainConfig(
        corpora={"davidson": 1.0, "qian_counter_speech": 0.5},
        data_dir=data_dir,
        limit_per_corpus=300,
        allow_noncommercial=False,
    )
    built = build(config)
    assert "qian_counter_speech" not in built.manifest["sources"]
    assert built.manifest["licences"]["free_of_noncommercial_data"] is True
    assert built.manifest["licences"]["excluded_noncommercial"] == ["qian_counter_speech"]
    assert not any(
        (frame["source"] == "qian_counter_speech").any() for frame in built.splits.values()
    )


@pytest.fixture(scope="module")
def small_config(data_dir: Path) -> TrainConfig:
    return TrainConfig(
        corpora={"davidson": 1.0, "edos": 1.0, "hatemoji": 1.0, "gab_hate": 0.5},
        data_dir=data_dir,
        limit_per_corpus=1500,
    )


def test_real_build_is_deterministic_and_disjoint(small_config: TrainConfig) -> None:
    first, second = build(small_config), build(small_config)
    for name in ("train", "dev", "test"):
        pd.testing.assert_frame_equal(first.splits[name], second.splits[name])
    keys = {name: set(frame["text"].map(dedup_key)) for name, frame in first.splits.items()}
    assert (
        not keys["train"] & keys["dev"]
        and not keys["train"] & keys["test"]
        and not keys["dev"] & keys["test"]
    )
    all_keys = pd.concat(first.splits.values())["text"].map(dedup_key)
    assert not all_keys.duplicated().any()


def test_real_split_is_stratified_and_seeded(small_config: TrainConfig) -> None:
    data = build(small_config)
    train_share = data.splits["train"]["label"].value_counts(normalize=True)
    dev_share = data.splits["dev"]["label"].value_counts(normalize=True)
    assert (train_share - dev_share).abs().max() < 0.02
    other = build(
        small_config.model_copy(
            update={"split": small_config.split.model_copy(update={"seed": 99})}
        )
    )
    assert set(other.splits["dev"]["text"]) != set(data.splits["dev"]["text"])


def test_manifest_records_sources_hashes_and_counts(small_config: TrainConfig) -> None:
    manifest = build(small_config).manifest
    assert set(manifest["sources"]) == set(small_config.corpora)
    files = manifest["sources"]["hatemoji"]["files"]
    assert set(files) == {"hatemoji/train.csv", "hatemoji/validation.csv"}
    assert all(len(h) == 64 for h in files.values())
    per_split = manifest["rows_per_label"]
    total = sum(sum(c.values()) for c in per_split.values())
    assert total == manifest["deduplication"]["rows_out"]
    assert manifest["split"]["seed"] == small_config.split.seed


def test_a_label_with_one_row_still_splits() -> None:
    from training.dataset import split

    frame = rows(*[(f"t{i}", "none", "a") for i in range(40)], ("x", "incitement", "a"))
    config = TrainConfig(corpora={"davidson": 1.0})
    parts = split(frame, config)
    assert sum(len(p) for p in parts.values()) == 41


def test_augmentation_drops_the_rationale_of_a_respelt_hateful_row_only() -> None:
    from training.config import load_config
    from training.dataset import augment

    frame = rows(*[(f"row number {i} placeholder", "hate_speech", "a") for i in range(20)])
    frame = pd.concat([frame, rows(*[(f"calm row {i}", "none", "b") for i in range(20)])])
    frame = frame.reset_index(drop=True)
    frame.loc[frame["label"] == "hate_speech", "evidence_known"] = True
    frame["evidence"] = [[0, 3] if lab == "hate_speech" else [] for lab in frame["label"]]
    config = load_config(ROOT / "configs/smoke.yaml")
    config = config.model_copy(
        update={
            "augment": config.augment.model_copy(
                update={"obfuscate_fraction": 0.5, "contrastive_rows": 4}
            )
        }
    )
    out, _ = augment(frame, config)
    kept, added = out.iloc[: len(frame)], out.iloc[len(frame) :]
    respelt = kept["text"] != frame["text"]
    hateful = kept["label"] == "hate_speech"
    assert (respelt & hateful).any() and not kept.loc[respelt & hateful, "evidence_known"].any()
    assert kept.loc[~respelt & hateful, "evidence_known"].all()
    assert kept.loc[kept["label"] == "none", "evidence_known"].all()
    assert len(added) and (added["evidence_known"] == (added["label"] == "none")).all()
