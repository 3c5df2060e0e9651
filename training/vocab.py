"""Trim a multilingual encoder's vocabulary to the pieces its languages use, so the released
model fits in git (multilingual-e5-small: 96M of its 118M parameters are the 250,037-row
embedding matrix).

    kept = choose_pieces(tokenizer_json, texts, budget=60000)
    trim_model_dir(model_dir, out_dir, kept)

The tokenizer is a Unigram model: it segments a text into the most probable sequence of the
pieces it has. Removing pieces only removes candidates, so a text whose best segmentation uses
kept pieces only is segmented exactly as before; its ids change by a fixed map (old id -> its
rank among the kept ones), and the embedding rows move with them. Every single-character piece
of a served script is kept, so a text in a served script still reads as its characters where a
longer piece is gone, never as `<unk>` where it was not before.
"""

from __future__ import annotations

import copy
import json
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from safetensors.torch import load_file, save_file

from rabat.store.files import write_text

EMBEDDING_SUFFIX = "embeddings.word_embeddings.weight"


def piece_counts(tokenizer: Any, texts: Iterable[str], batch: int = 2048) -> Counter[int]:
    """How often each id occurs when `tokenizer` (a fast tokenizer) reads `texts`."""
    counts: Counter[int] = Counter()
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == batch:
            counts.update(i for ids in tokenizer(chunk)["input_ids"] for i in ids)
            chunk = []
    if chunk:
        counts.update(i for ids in tokenizer(chunk)["input_ids"] for i in ids)
    return counts


# Scripts of no served language (ar, de, en, es, fr, hi, it, nl, pl, pt, zh): their pieces go
# first when the vocabulary is cut, unless a counted text uses them.
OTHER_SCRIPTS = frozenset(
    [
        "ARMENIAN",
        "BENGALI",
        "BOPOMOFO",
        "CHEROKEE",
        "CYRILLIC",
        "ETHIOPIC",
        "GEORGIAN",
        "GREEK",
        "GUJARATI",
        "GURMUKHI",
        "HANGUL",
        "HEBREW",
        "HIRAGANA",
        "KANNADA",
        "KATAKANA",
        "KHMER",
        "LAO",
        "MALAYALAM",
        "MONGOLIAN",
        "MYANMAR",
        "ORIYA",
        "SINHALA",
        "SYRIAC",
        "TAMIL",
        "TELUGU",
        "THAANA",
        "THAI",
        "TIBETAN",
    ]
)


def served_script(piece: str) -> bool:
    """False when a character of `piece` belongs to a script of no served language."""
    for char in piece.lstrip("\u2581"):
        name = unicodedata.name(char, "")
        if name.split(" ", 1)[0] in OTHER_SCRIPTS:
            return False
    return True


def choose_pieces(tokenizer_json: dict[str, Any], counts: Counter[int], budget: int) -> list[int]:
    """The ids to keep, ascending: the special tokens and the single-character pieces of the
    served scripts, then the pieces the counted texts use, commonest first, then the most
    probable other pieces of the served scripts (the Unigram score, which follows a piece's
    frequency in the encoder's own training text), until `budget` ids."""
    vocab = tokenizer_json["model"]["vocab"]
    special = {token["id"] for token in tokenizer_json["added_tokens"]}
    single = {
        i
        for i, (piece, _) in enumerate(vocab)
        if len(piece.lstrip("\u2581")) <= 1 and served_script(piece)
    }
    kept = special | single
    if len(kept) > budget:
        raise ValueError(
            f"the special and single-character pieces alone are {len(kept)}, more than the "
            f"budget of {budget}: raise the budget"
        )
    seen = [i for i, _ in counts.most_common() if i < len(vocab) and i not in kept]
    kept |= set(seen[: budget - len(kept)])
    rest = sorted(
        (i for i in range(len(vocab)) if i not in kept and served_script(vocab[i][0])),
        key=lambda i: -vocab[i][1],
    )
    kept |= set(rest[: budget - len(kept)])
    return sorted(kept)


def trim_tokenizer(tokenizer_json: dict[str, Any], kept: list[int]) -> dict[str, Any]:
    """tokenizer.json with only the `kept` pieces, every id renumbered by its rank in `kept`."""
    new_id = {old: new for new, old in enumerate(kept)}
    out = copy.deepcopy(tokenizer_json)
    vocab = tokenizer_json["model"]["vocab"]
    out["model"]["vocab"] = [vocab[i] for i in kept]
    out["model"]["unk_id"] = new_id[tokenizer_json["model"]["unk_id"]]
    for token in out["added_tokens"]:
        token["id"] = new_id[token["id"]]
    specials = (out.get("post_processor") or {}).get("special_tokens", {})
    for entry in specials.values():
        entry["ids"] = [new_id[i] for i in entry["ids"]]
    return out


def trim_model_dir(source: Path, target: Path, kept: list[int]) -> dict[str, Any]:
    """Copy a saved model directory to `target` with the vocabulary cut to `kept`: tokenizer,
    embedding rows and config's vocab_size. Returns what changed, for the release record."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and path.name not in ("tokenizer.json", "model.safetensors"):
            shutil.copy2(path, target / path.name)
    tokenizer_json = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    trimmed = trim_tokenizer(tokenizer_json, kept)
    write_text(target / "tokenizer.json", json.dumps(trimmed, ensure_ascii=False))
    weights = load_file(str(source / "model.safetensors"))
    (name,) = [key for key in weights if key.endswith(EMBEDDING_SUFFIX)]
    before = int(weights[name].shape[0])
    weights[name] = weights[name][kept].contiguous()
    save_file(weights, str(target / "model.safetensors"), metadata={"format": "pt"})
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    config["vocab_size"] = len(kept)
    write_text(target / "config.json", json.dumps(config, indent=2))
    return {
        "pieces_before": len(tokenizer_json["model"]["vocab"]),
        "embedding_rows_before": before,
        "pieces_kept": len(kept),
    }


def same_segmentation(old: Any, new: Any, texts: list[str], kept: list[int]) -> list[bool]:
    """Per text: does the trimmed tokenizer give the same pieces (ids mapped) as the original?"""
    new_id = {o: n for n, o in enumerate(kept)}
    before = old(texts)["input_ids"]
    after = new(texts)["input_ids"]
    return [[new_id.get(i, -1) for i in b] == list(a) for b, a in zip(before, after, strict=True)]
