"""The posts whose words people marked: HateXplain's validation rationales and a model's own
dev rows with marked words, as words and a 0/1 mark per word (evaluation/evidence.py scores
them)."""

from __future__ import annotations

import ast
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rabat.model.prediction import Prediction
from training.corpora.base import unflatten_spans

logger = logging.getLogger(__name__)


_HATEFUL_VOTES = {0, 2}  # val.csv's coding: 0 hate speech, 1 normal, 2 offensive


@dataclass(frozen=True)
class Post:
    """A HateXplain post: its words and, per word, 1 if any annotator marked it."""

    tokens: list[str]
    gold: list[int]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def spans(self) -> list[tuple[int, int]]:
        """Each word's [start, end) in `text`."""
        return word_spans(self.tokens)


def word_spans(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Each word's [start, end) in `" ".join(tokens)`."""
    out, at = [], 0
    for token in tokens:
        out.append((at, at + len(token)))
        at += len(token) + 1
    return out


def hatexplain_posts(path: Path) -> list[Post]:
    """The validation posts with a strict-majority hateful or offensive label and a rationale."""
    frame = pd.read_csv(path, keep_default_na=False)
    posts = []
    for annotators, rationales, tokens in zip(
        frame["annotators"], frame["rationales"], frame["post_tokens"], strict=True
    ):
        votes = Counter(ast.literal_eval(annotators)["label"]).most_common()
        if len(votes) > 1 and votes[0][1] == votes[1][1]:
            continue
        masks, words = ast.literal_eval(rationales), ast.literal_eval(tokens)
        if votes[0][0] not in _HATEFUL_VOTES or not masks or not words:
            continue
        if any(len(mask) != len(words) for mask in masks):
            raise ValueError(f"{path}: a rationale mask does not match its post's words")
        gold = [int(any(mask[i] for mask in masks)) for i in range(len(words))]
        posts.append(Post([str(w) for w in words], gold))
    return posts


def dev_posts(model_dir: Path, limit: int | None = None) -> list[Post]:
    """The model's dev rows with marked words, as posts (words: the cleaned text split on
    white space, which is how the clean-up leaves it)."""
    path = model_dir / "splits" / "dev.jsonl"
    if not path.is_file():
        logger.info("%s not found: no own-dev evidence figures for this model", path)
        return []
    frame = pd.read_json(path, lines=True)
    if "evidence_known" not in frame:
        return []
    marked = frame[frame["evidence_known"] & (frame["evidence"].map(len) > 0)].head(limit)
    posts = []
    for text, flat in zip(marked["text"], marked["evidence"], strict=True):
        spans = unflatten_spans(flat)
        tokens = str(text).split(" ")
        gold = [int(any(s < e2 and s2 < e for s2, e2 in spans)) for s, e in word_spans(tokens)]
        posts.append(Post(tokens, gold))
    return posts


def head_scores(texts: list[str], predictions: list[Prediction]) -> list[list[Any]]:
    """The evidence head's word scores, as the predictions carry them."""
    return [list(p.words) for p in predictions]


def per_token(post: Post, words: Sequence[tuple[int, int, float]]) -> list[float]:
    """A score per post word: the highest score of the model's words that overlap it."""
    out = []
    for start, end in post.spans():
        hits = [score for s, e, score in words if s < end and start < e]
        out.append(max(hits) if hits else 0.0)
    return out
