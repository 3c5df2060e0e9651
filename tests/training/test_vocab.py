"""Trimming the vocabulary: the pieces kept, the renumbered tokenizer, and the promise that a text
whose pieces are kept is segmented exactly as before (the real XLM-R tokenizer of
multilingual-e5-small; the release's own tokenizer against it, in every served language)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from transformers import AutoTokenizer

from rabat.model.release import CHECK_TEXTS
from training.e5_convert import write_tokenizer
from training.release import SERVED
from training.vocab import choose_pieces, piece_counts, same_segmentation, trim_tokenizer

ROOT = Path(__file__).resolve().parents[2]


def tiny_tokenizer_json() -> dict:
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    vocab += [["\u2581a", -1.0], ["b", -2.0], ["\u2581abc", -3.0], ["cd", -4.0], ["<mask>", 0.0]]
    return {
        "added_tokens": [{"id": i, "content": vocab[i][0]} for i in (0, 1, 2, 3, 8)],
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab},
        "post_processor": {
            "special_tokens": {"<s>": {"ids": [0]}, "</s>": {"ids": [2]}},
        },
    }


def test_special_and_single_character_pieces_are_kept_then_seen_ones_then_by_score() -> None:
    data = tiny_tokenizer_json()
    kept = choose_pieces(data, Counter({7: 3}), budget=9)
    assert kept == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    kept = choose_pieces(data, Counter({7: 3}), budget=8)
    assert kept == [0, 1, 2, 3, 4, 5, 7, 8]  # the unseen "▁abc" is the one left out
    kept = choose_pieces(data, Counter({6: 1, 7: 5}), budget=8)
    assert kept == [0, 1, 2, 3, 4, 5, 7, 8]  # of two seen pieces, the commoner
    with pytest.raises(ValueError, match="raise the budget"):
        choose_pieces(data, Counter(), budget=6)


def test_trimming_renumbers_every_id_the_tokenizer_names() -> None:
    trimmed = trim_tokenizer(tiny_tokenizer_json(), [0, 1, 2, 3, 5, 8])
    assert [piece for piece, _ in trimmed["model"]["vocab"]] == [
        "<s>", "<pad>", "</s>", "<unk>", "b", "<mask>",
    ]  # fmt: skip
    assert trimmed["model"]["unk_id"] == 3
    assert [t["id"] for t in trimmed["added_tokens"]] == [0, 1, 2, 3, 5]
    assert trimmed["post_processor"]["special_tokens"]["</s>"]["ids"] == [2]


@pytest.fixture(scope="module")
def e5_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("e5-tokenizer")
    write_tokenizer(folder)
    return folder


def trimmed_copy(source: Path, target: Path, kept: list[int]) -> Path:
    target.mkdir()
    data = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    (target / "tokenizer.json").write_text(json.dumps(trim_tokenizer(data, kept)))
    (target / "tokenizer_config.json").write_text(
        (source / "tokenizer_config.json").read_text(encoding="utf-8")
    )
    return target


def test_texts_whose_pieces_are_kept_tokenise_as_before(
    e5_tokenizer_dir: Path, tmp_path: Path
) -> None:
    old = AutoTokenizer.from_pretrained(str(e5_tokenizer_dir))
    data = json.loads((e5_tokenizer_dir / "tokenizer.json").read_text(encoding="utf-8"))
    texts = list(CHECK_TEXTS)
    kept = choose_pieces(data, piece_counts(old, texts), budget=20000)
    new = AutoTokenizer.from_pretrained(str(trimmed_copy(e5_tokenizer_dir, tmp_path / "t", kept)))
    assert len(new) < len(old)
    assert all(same_segmentation(old, new, texts, kept))
    # a word none of the texts has still reads as pieces, not as <unk>
    unseen = new("Zwischenstaatlich")["input_ids"]
    assert new.unk_token_id not in unseen


def corpus_texts(data_dir: Path, language: str, rows: int = 200) -> list[str]:
    """Training texts in `language` from the corpora (read at run time)."""
    from training.corpora import RECIPES, load_corpus

    for name, recipe in sorted(RECIPES.items()):
        if recipe.language == language and recipe.commercial:
            frame: pd.DataFrame = load_corpus(name, data_dir).to_pandas()
            return frame["text"].head(rows).tolist()
    return []


def test_the_release_tokenises_each_served_language_as_the_encoder_did(
    e5_tokenizer_dir: Path, data_dir: Path
) -> None:
    release = ROOT / "release"
    old = AutoTokenizer.from_pretrained(str(e5_tokenizer_dir))
    new = AutoTokenizer.from_pretrained(str(release))
    pieces = [p for p, _ in json.loads((release / "tokenizer.json").read_text())["model"]["vocab"]]
    index = {p: i for i, p in enumerate(old.convert_ids_to_tokens(range(len(old))))}
    kept = [index[p] for p in pieces]
    assert all(same_segmentation(old, new, list(CHECK_TEXTS), kept))  # one text per language
    assert len(set(CHECK_TEXTS)) >= len(SERVED) + 2
    # Corpus texts: nearly every token's piece is kept (the card states, per language, the
    # share of dev texts cut exactly as before and of their tokens kept).
    have = set(kept)
    for language in SERVED:
        texts = corpus_texts(data_dir, language)
        if texts:
            ids = [i for found in old(texts)["input_ids"] for i in found]
            assert sum(i in have for i in ids) / len(ids) >= 0.97, language
