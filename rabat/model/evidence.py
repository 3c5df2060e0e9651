"""Evidence spans from the model's own forward pass: the words that carry its label.

The evidence head (`rabat.model.network.MultiTaskModel.evidence_head`) gives every token a
probability that it carries the label, learnt from the words annotators marked (HateXplain
rationales, Toxic Spans, reviewers' corrections). Here those token scores become word scores (a word
takes its highest token's score), and the words worth showing become `Span`s:

- every label but `none` gets evidence (`offensive` too): the words scoring at least
  `relative` times the best word's score, at most `top_k` of them, in text order, if the best
  word reaches `floor_score`;
- a `none` text gets evidence only when the model gives at least `none_bar` to the other labels
  together (1 - p(none)): a reviewer looking at a near miss should see what nearly tipped it.

The head's probabilities are low in absolute terms (most training rows are `none`, whose words
carry nothing), so the choice is relative to the text's best word. The defaults were chosen on
the SemEval-2021 Toxic Spans trial file (`python -m evaluation evidence`; docs/evidence.md); a
model that carries `signal_policy.json` (rabat.model.signal_policy) has its own, fitted on its
dev rationales.

Torch-free; the backends (torch and ONNX) only supply the token scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rabat.labels import Label
from rabat.model.prediction import Prediction
from rabat.text.cleaning import IDEOGRAPHIC, UNSPACED_PHONETIC, OffsetMap
from rabat.text.markers import Span

EVIDENCE = "evidence"  # the Span kind, and the rationale kind in the review form


def word_scores(
    text: str, offsets: Sequence[tuple[int, int]], scores: Sequence[float]
) -> list[tuple[int, int, float]]:
    """Per white-space-separated word of `text` that a token covers: (start, end, the highest
    score of its tokens), in text order. `offsets` are the tokens' character spans in `text`."""
    words: list[list[float]] = []  # [start, end, score]
    for (start, end), score in zip(offsets, scores, strict=True):
        if end <= start:
            continue  # special tokens
        if words and start < words[-1][1]:  # another piece of the word before
            # (SentencePiece's lone word-start piece spans the next character only)
            words[-1][1] = max(words[-1][1], _word_around(text, start, end)[1])
            words[-1][2] = max(words[-1][2], score)
        else:
            words.append([*_word_around(text, start, end), score])
    return [(int(s), int(e), round(float(v), 4)) for s, e, v in words]


def _word_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The white-space word around a token; in scripts written without spaces (Chinese,
    Japanese, Thai, Lao, Khmer, Burmese) the token is the word, or a span would run to the
    sentence's end."""
    if end > start and all(unspaced(ch) for ch in text[start:end]):
        return start, end
    while start > 0 and not text[start - 1].isspace() and not unspaced(text[start - 1]):
        start -= 1
    while end < len(text) and not text[end].isspace() and not unspaced(text[end]):
        end += 1
    return start, end


# Scripts without spaces between words, with their punctuation and full-width forms.
_UNSPACED = (*IDEOGRAPHIC, *UNSPACED_PHONETIC, (0x3000, 0x303F), (0xFF00, 0xFFEF))


def unspaced(ch: str) -> bool:
    """True for a character of a script written without spaces between words."""
    point = ord(ch)
    return any(low <= point <= high for low, high in _UNSPACED)


def to_raw_words(
    offsets: OffsetMap, words: Sequence[tuple[int, int, float]]
) -> list[tuple[int, int, float]]:
    """Word scores found in the cleaned text, moved into the text as sent. Words that land on
    one stretch of it (an emoji's name is several words) become one, with the highest score."""
    out: list[tuple[int, int, float]] = []
    for clean_start, clean_end, score in words:
        start, end = offsets.to_raw(clean_start, clean_end)
        if out and out[-1][0] == start and out[-1][1] == end:
            out[-1] = (start, end, max(out[-1][2], score))
        else:
            out.append((start, end, score))
    return out


@dataclass(frozen=True)
class EvidencePolicy:
    """When evidence is shown and how much of it (see the module docstring)."""

    relative: float = 0.5
    floor_score: float = 0.02
    top_k: int = 8
    none_bar: float = 0.3

    def __post_init__(self) -> None:
        problems = []
        if not 0.0 <= self.relative <= 1.0:
            problems.append(f"relative {self.relative} (expected 0 <= relative <= 1)")
        if not 0.0 <= self.floor_score < 1.0:
            problems.append(f"floor_score {self.floor_score} (expected 0 <= floor_score < 1)")
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or self.top_k < 1:
            problems.append(f"top_k {self.top_k!r} (expected a whole number >= 1)")
        if not 0.0 <= self.none_bar <= 1.0:
            problems.append(f"none_bar {self.none_bar} (expected 0 <= none_bar <= 1)")
        if problems:
            raise ValueError(
                "invalid evidence policy: " + "; ".join(problems) + ": fit it again with "
                "`python -m training.signal_policy` or leave the defaults"
            )

    def wanted(self, prediction: Prediction) -> bool:
        if prediction.label != Label.NONE.value:
            return True
        return 1.0 - prediction.scores[Label.NONE.value] >= self.none_bar

    def spans(self, text: str, prediction: Prediction) -> list[Span]:
        """The evidence spans of one prediction on `text` (the text as the caller sent it)."""
        if not self.wanted(prediction) or not prediction.words:
            return []
        ranked = sorted(prediction.words, key=lambda w: -w[2])
        best = ranked[0][2]
        if best < self.floor_score:
            return []
        chosen = [w for w in ranked if w[2] >= self.relative * best][: self.top_k]
        return [
            Span(start, end, text[start:end], EVIDENCE, score)
            for start, end, score in sorted(chosen)
        ]


def char_f1(predicted: set[int], gold: set[int]) -> float:
    """SemEval-2021 Task 5's per-post F1 over character offsets: 1 when both are empty, 0 when
    only one is."""
    if not gold:
        return 1.0 if not predicted else 0.0
    if not predicted:
        return 0.0
    hit = len(predicted & gold)
    return 2 * hit / (len(predicted) + len(gold))


def characters(spans: Sequence[Span] | Sequence[tuple[int, int]]) -> set[int]:
    """The character offsets that spans (or (start, end) pairs) cover."""
    pairs = [(s.start, s.end) if isinstance(s, Span) else s for s in spans]
    return {ch for start, end in pairs for ch in range(start, end)}
