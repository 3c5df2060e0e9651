"""Recipes on the real corpora: every mapping checked against the raw files it reads."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from rabat.defaults import DEFAULT_CONFIG
from rabat.labels import LABELS
from rabat.signals import TARGET_GROUPS, UNKNOWN
from rabat.text.cleaning import dedup_key
from training.config import load_config
from training.corpora import RECIPES, corpus_folders, load_corpus
from training.corpora.hatemoji import target_groups
from training.corpora.targets import groups_from_description

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_yields_valid_records(name: str, data_dir: Path) -> None:
    rows = load_corpus(name, data_dir)
    assert len(rows) > 1000
    assert set(rows["label"]) <= set(LABELS)
    assert all(text.strip() for text in rows["text"])
    assert {g for groups in rows["targets"] for g in groups} <= set(TARGET_GROUPS)
    assert set(rows["call_to_violence"]) <= {UNKNOWN, 0, 1}
    frame = rows.to_pandas()
    # by definition neither `none` nor `offensive` attacks a group
    assert frame.loc[frame["label"].isin(["none", "offensive"]), "targets"].map(len).sum() == 0


def test_davidson_classes_map_one_to_one(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "davidson/labeled_data.csv")
    mapped = Counter(load_corpus("davidson", data_dir)["label"])
    expected = raw["class"].map({0: "hate_speech", 1: "offensive", 2: "none"}).value_counts()
    assert dict(mapped) == expected.to_dict()


def test_gab_call_for_violence_is_incitement(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "gab-hate-corpus/ghc_train.tsv", sep="\t")
    rows = load_corpus("gab_hate", data_dir).to_pandas()
    incitement = rows[rows["label"] == "incitement"]
    assert len(incitement) == int(raw["cv"].sum())
    assert (incitement["call_to_violence"] == 1).all()
    assert int((rows["label"] == "hate_speech").sum()) == int(
        ((raw["hd"] == 1) & (raw["cv"] == 0)).sum()
    )


def test_edos_threat_category_is_incitement_against_women(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "edos/edos_train_dev.csv")
    rows = load_corpus("edos", data_dir).to_pandas()
    incitement = rows[rows["label"] == "incitement"]
    assert len(incitement) == int(raw["label_category"].str.startswith("1.").sum())
    assert incitement["targets"].map(list).map(lambda t: t == ["gender"]).all()
    dehumanising = int(raw["label_vector"].str.startswith("2.3").sum())
    assert int((rows["dehumanisation"] == 1).sum()) == dehumanising


def test_hatexplain_files_agree_on_shared_posts_and_validation_is_held_out(
    data_dir: Path,
) -> None:
    """The two files use different label codings; mapped, they must agree on shared posts. The
    official validation split never reaches training, not even through train.csv's copies."""
    from training.corpora.hatexplain import validation_rows

    val = validation_rows(data_dir).to_pandas()
    train = pd.read_csv(data_dir / "hatexplain/train.csv", keep_default_na=False)
    train_labels = train["label"].map({0: "none", 1: "offensive", 2: "hate_speech"})
    by_key = dict(zip(train["text"].map(dedup_key), train_labels, strict=False))
    shared = [
        (by_key[k], lab)
        for k, lab in zip(val["text"].map(dedup_key), val["label"], strict=True)
        if k in by_key
    ]
    assert len(shared) > 1000
    agreement = sum(a == b for a, b in shared) / len(shared)
    assert agreement > 0.95
    trained = set(load_corpus("hatexplain", data_dir).to_pandas()["text"].map(dedup_key))
    assert not trained & set(val["text"].map(dedup_key))
    assert len(trained) > 14000


def test_hatemoji_threats_and_dehumanisation(data_dir: Path) -> None:
    raw = pd.concat(
        [pd.read_csv(data_dir / f) for f in ("hatemoji/train.csv", "hatemoji/validation.csv")]
    )
    rows = load_corpus("hatemoji", data_dir).to_pandas()
    hateful = raw[raw["label_gold"] == 1]
    assert int((rows["label"] == "incitement").sum()) == int(
        (hateful["type"] == "threateninglanguage").sum()
    )
    assert int((rows["dehumanisation"] == 1).sum()) == int(
        (hateful["type"] == "dehumanizinglanguage").sum()
    )


def test_implicit_hate_threats_are_incitement(data_dir: Path) -> None:
    stage1 = pd.read_csv(data_dir / "implicit-hate/implicit_hate_v1_stg1_posts.tsv", sep="\t")
    stage2 = pd.read_csv(data_dir / "implicit-hate/implicit_hate_v1_stg2_posts.tsv", sep="\t")
    joined = stage1[stage1["class"] != "not_hate"].merge(stage2.drop_duplicates("post"), on="post")
    rows = load_corpus("implicit_hate", data_dir).to_pandas()
    threats = int((joined["implicit_class"] == "threatening").sum())
    assert int((rows["label"] == "incitement").sum()) == threats
    assert int((rows["call_to_violence"] == 1).sum()) == int(
        (joined["implicit_class"] == "threatening").sum()
    )


def test_mlma_drops_contested_posts(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "mlma/en_dataset.csv")
    labels = raw["sentiment"].str.split("_").map(set)
    contested = labels.map(lambda s: "normal" in s and len(s) > 1)
    rows = load_corpus("mlma", data_dir)
    assert len(rows) == int((~contested).sum())


def test_olid_group_targeted_offence_is_hate_speech(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "olid/olid-training-v1.0.tsv", sep="\t")
    rows = load_corpus("olid", data_dir)
    assert Counter(rows["label"])["hate_speech"] == int((raw["subtask_c"] == "GRP").sum())


def test_sbic_biased_implication_is_hate_speech_with_targets(data_dir: Path) -> None:
    rows = load_corpus("sbic", data_dir).to_pandas()
    hate = rows[rows["label"] == "hate_speech"]
    assert len(hate) > 1000
    assert hate["targets"].map(len).gt(0).mean() > 0.95


def test_hatemoji_target_codes() -> None:
    assert target_groups(["blawom"]) == {"race_ethnicity", "gender"}
    assert target_groups(["mus"]) == {"religion"}
    assert target_groups(["none"]) == frozenset()
    assert target_groups(["unheard-of"]) == {"other"}


def test_free_text_targets() -> None:
    assert groups_from_description("Immigrants") == {"migration"}
    assert groups_from_description("Liberals") == {"other"}
    assert groups_from_description("") == frozenset()


def test_missing_file_names_path_and_fix(tmp_path: Path) -> None:
    with pytest.raises(
        FileNotFoundError, match=r"davidson/labeled_data.csv not found.*RABAT_DATA_DIR"
    ):
        load_corpus("davidson", tmp_path)


def test_missing_column_names_expected_and_found(tmp_path: Path) -> None:
    (tmp_path / "davidson").mkdir()
    (tmp_path / "davidson/labeled_data.csv").write_text("tweet,label\nhello,2\n")
    with pytest.raises(
        ValueError, match=r"missing column\(s\) \['class'\].*found \['tweet', 'label'\]"
    ):
        load_corpus("davidson", tmp_path)


def test_unknown_corpus_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown corpus 'nope'.*davidson"):
        load_corpus("nope", tmp_path)


def test_hatemoji_literal_targets_parse(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "hatemoji/train.csv")
    codes = {c for t in raw["target"] for c in ast.literal_eval(t)}
    assert all(target_groups([c]) <= set(TARGET_GROUPS) for c in codes)


def test_corpus_folders_are_the_top_folders_a_config_reads(data_dir: Path) -> None:
    assert corpus_folders(["mlma", "mlma_fr", "davidson"]) == ["davidson", "mlma"]
    folders = corpus_folders(load_config(ROOT / DEFAULT_CONFIG).corpora)
    assert {"mlma", "germeval2018", "cold", "told-br"} <= set(folders)
    assert all((data_dir / folder).is_dir() for folder in folders)
    with pytest.raises(ValueError, match="unknown corpus 'nope'"):
        corpus_folders(["nope"])
