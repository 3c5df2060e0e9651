"""Long texts read in overlapping windows: the most severe window decides.

A speech, an article or a broadcast transcript is longer than the model's window (96 tokens
for the default model). Its tokens are cut into windows of the model's size that overlap by
half, each window is read on its own, and the text takes the prediction of its most severe
window: the highest label in severity order (none < offensive < hate_speech < incitement),
then the highest p(hate_speech) + p(incitement). For a model with an operating point
(`rabat.model.operating_point`), whose label is decided on the hateful mass against one bar for
the whole text, the window with the highest p(hate_speech) + p(incitement) (then p(incitement)).
A hateful sentence at the end of a long benign text is found wherever it sits, and the window's
character span says where.

The deciding window's token evidence scores become word scores (`rabat.model.evidence`): the
evidence of a long text is read where its label was decided.

Torch-free: each backend gives `run(token_id_rows) -> (label_probs, target_probs,
signal_probs, token_evidence_probs)` and `predict_windows` does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rabat.labels import HATEFUL, LABELS
from rabat.model.evidence import to_raw_words, word_scores
from rabat.model.prediction import Prediction
from rabat.signals import BINARY_SIGNALS, TARGET_GROUPS
from rabat.text.cleaning import clean_with_offsets

Rows = list[list[float]]
Run = Callable[[list[list[int]]], tuple[Rows, Rows, Rows, Rows]]
OVERLAP = 0.5


@dataclass(frozen=True)
class Windows:
    """One text's model inputs: token ids (special tokens included), each window's character
    span in the text, and the character offsets of each window's text tokens."""

    ids: list[list[int]]
    spans: list[tuple[int, int]]
    offsets: list[list[tuple[int, int]]]


def encode_windows(
    tokenizer: object,
    texts: list[str],
    max_length: int,
    specials: tuple[list[int], list[int]] | None = None,
) -> list[Windows]:
    """Each text's windows of at most `max_length` tokens, overlapping by half; `specials` is
    `special_tokens(tokenizer)`, if the caller has it already."""
    found = tokenizer(  # type: ignore[operator]
        texts, add_special_tokens=False, return_offsets_mapping=True, verbose=False
    )
    prefix, suffix = specials or special_tokens(tokenizer)
    size = max(max_length - len(prefix) - len(suffix), 1)
    step = max(int(size * (1 - OVERLAP)), 1)
    out = []
    for text, ids, offsets in zip(texts, found["input_ids"], found["offset_mapping"], strict=True):
        starts = list(range(0, max(len(ids) - size, 0) + 1, step))
        if starts[-1] + size < len(ids):
            starts.append(len(ids) - size)  # the last window ends with the text
        windows, spans, token_offsets = [], [], []
        for start in starts:
            chunk = ids[start : start + size]
            windows.append(prefix + chunk + suffix)
            where = [tuple(pair) for pair in offsets[start : start + size]]
            spans.append((where[0][0], where[-1][1]) if where else (0, len(text)))
            token_offsets.append(where)
        out.append(Windows(windows, spans, token_offsets))
    return out


def special_tokens(tokenizer: object) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after one text ([CLS] and [SEP] for BERT)."""
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]  # type: ignore[operator]
    full = tokenizer("a")["input_ids"]  # type: ignore[operator]
    for at in range(len(full) - len(bare) + 1):
        if full[at : at + len(bare)] == bare:
            return full[:at], full[at + len(bare) :]
    raise ValueError("cannot tell the tokenizer's special tokens apart from the text's")


def most_severe(probs: Rows, by_mass: bool = False) -> int:
    """The index of the window whose prediction is the most severe (see the module docstring);
    `by_mass`: by the hateful mass first (a model with an operating point)."""
    hateful = [LABELS.index(label) for label in HATEFUL]
    incitement = LABELS.index("incitement")

    def severity(i: int) -> tuple[float, float]:
        row = probs[i]
        mass = sum(row[j] for j in hateful)
        if by_mass:
            return mass, row[incitement]
        return max(range(len(LABELS)), key=row.__getitem__), mass

    return max(range(len(probs)), key=severity)


def predict_windows(
    texts: list[str],
    tokenizer: object,
    max_length: int,
    run: Run,
    batch_size: int,
    by_mass: bool = False,
) -> list[Prediction]:
    """Predictions for `texts` (already cleaned), every window read, the most severe kept
    (`by_mass`: see `most_severe`)."""
    specials = special_tokens(tokenizer)
    encoded = encode_windows(tokenizer, texts, max_length, specials)
    flat = [ids for text in encoded for ids in text.ids]
    skip = len(specials[0])  # the deciding window's text tokens start after these
    probs: Rows = []
    targets: Rows = []
    signals: Rows = []
    evidence: Rows = []
    for start in range(0, len(flat), batch_size):
        p, t, s, e = run(flat[start : start + batch_size])
        probs += p
        targets += t
        signals += s
        evidence += e
    out, first = [], 0
    for text, cleaned in zip(encoded, texts, strict=True):
        count = len(text.ids)
        best = first + most_severe(probs[first : first + count], by_mass)
        offsets = text.offsets[best - first]
        tokens = evidence[best][skip : skip + len(offsets)]
        words = word_scores(cleaned, offsets, tokens)
        span = text.spans[best - first] if count > 1 else None
        out.append(_prediction(probs[best], targets[best], signals[best], count, span, words))
        first += count
    return out


def _prediction(
    row: list[float],
    targets: list[float],
    signals: list[float],
    windows: int,
    span: tuple[int, int] | None,
    words: list[tuple[int, int, float]],
) -> Prediction:
    best = max(range(len(LABELS)), key=row.__getitem__)
    named = dict(zip(BINARY_SIGNALS, signals, strict=True))
    return Prediction(
        label=LABELS[best],
        scores=dict(zip(LABELS, row, strict=True)),
        target_groups=dict(zip(TARGET_GROUPS, targets, strict=True)),
        call_to_violence=named["call_to_violence"],
        dehumanisation=named["dehumanisation"],
        truncated=windows > 1,
        windows=windows,
        window=span,
        words=tuple(words),
    )


def predict_in_length_order(
    texts: Sequence[str],
    batch_size: int,
    predict_batch: Callable[[list[str]], list[Prediction]],
) -> list[Prediction]:
    """Clean `texts`, run `predict_batch` on length-sorted batches, return input order, with
    each deciding window's span and each word's span mapped back into the text as given."""
    if isinstance(texts, str):
        raise TypeError("predict() takes a list of texts, not a single string: wrap it in [].")
    cleaned = [clean_with_offsets(text) for text in texts]
    order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i][0]))
    results: dict[int, Prediction] = {}
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        for i, pred in zip(idx, predict_batch([cleaned[i][0] for i in idx]), strict=True):
            offsets = cleaned[i][1]
            span = None if pred.window is None else offsets.to_raw(*pred.window)
            words = tuple(to_raw_words(offsets, pred.words))
            results[i] = replace(pred, window=span, words=words)
    return [results[i] for i in range(len(cleaned))]
