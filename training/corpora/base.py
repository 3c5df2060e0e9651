"""What every corpus recipe shares: reading a file with `datasets`, checking its columns, and
the unified record each recipe produces.

A record's auxiliary signals are `None` where the corpus does not annotate them; `finalise`
fills in what the label's own definition implies (a `none` text attacks no group, hate speech
calls no one to act) and everything else stays unknown and is masked out of the loss.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets

import rabat.text.cleaning
from rabat.labels import Label
from rabat.signals import TARGET_GROUPS, UNKNOWN
from rabat.text.cleaning import clean_with_offsets

logger = logging.getLogger(__name__)

# `datasets` caches a map by the hash of its function, which does not see inside `clean`: the
# digest of rabat/text/cleaning.py goes into the function, so a changed clean-up invalidates the
# cache.
CLEANING = hashlib.sha256(Path(rabat.text.cleaning.__file__).read_bytes()).hexdigest()[:16]

# The placeholders the corpora ship (`@USER`, `@user`, `@User.IDX`, `URL`) and real ones.
_MENTION_OR_LINK = re.compile(r"@[\w.]+|https?://\S+|www\.\S+|\bURL\b")

FEATURES = datasets.Features(
    {
        "text": datasets.Value("string"),
        "label": datasets.Value("string"),
        "source": datasets.Value("string"),
        "targets": datasets.Sequence(datasets.Value("string")),
        "targets_known": datasets.Value("bool"),
        "call_to_violence": datasets.Value("int8"),
        "dehumanisation": datasets.Value("int8"),
        # The words annotators marked as the reason for the label, as [start, end) pairs
        # (flattened) into `text` after the clean-up; `evidence_known` False: not annotated.
        "evidence": datasets.Sequence(datasets.Value("int32")),
        "evidence_known": datasets.Value("bool"),
        # ISO 639-1 code of the text's language (per-language metrics, the model card).
        "language": datasets.Value("string"),
        # Rows with the same non-empty group go to the same split (translations of one source
        # document in a parallel corpus); "" for the rest, which are split row by row.
        "group": datasets.Value("string"),
    }
)


@dataclass(frozen=True)
class Record:
    """One corpus row mapped onto Rabat's labels; None means 'not annotated'."""

    label: Label
    targets: frozenset[str] | None = None
    call_to_violence: bool | None = None
    dehumanisation: bool | None = None
    # Character [start, end) spans of the raw text that carry the label (rationales); () says
    # "nothing in it does", None "not annotated".
    evidence: tuple[tuple[int, int], ...] | None = None
    language: str | None = None  # None: the corpus's language (`to_records`)
    group: str = ""


def flatten_spans(spans: Iterable[tuple[int, int]]) -> list[int]:
    """[(start, end), ...] as the flat [start, end, start, end, ...] of the `evidence` column."""
    return [int(i) for span in spans for i in span]


def unflatten_spans(flat: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """The `evidence` column's flat [start, end, ...] back as (start, end) pairs."""
    return tuple((int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat) - 1, 2))


def finalise(record: Record) -> Record:
    """Fill in the signals a label implies by definition (see docs/corpora.md)."""
    targets, violence, dehum = record.targets, record.call_to_violence, record.dehumanisation
    if record.label in (Label.NONE, Label.OFFENSIVE):
        targets = frozenset()  # neither level is an attack on a group for who they are
    evidence = record.evidence
    if record.label is Label.NONE:
        violence, dehum = False, False
        evidence = ()  # no word of a `none` text carries a hateful or offensive label
    if record.label is Label.HATE_SPEECH and violence is None:
        violence = False  # hate speech, by definition, calls no one to act
    if targets is not None and not targets <= set(TARGET_GROUPS):
        raise ValueError(
            f"recipe produced unknown target groups {sorted(targets - set(TARGET_GROUPS))}"
        )
    return Record(record.label, targets, violence, dehum, evidence, record.language, record.group)


def has_words(text: str) -> bool:
    """Whether a raw text keeps anything once mentions, links, punctuation and spaces are gone
    (the data README's rule: a row that is only a link, a mention or punctuation is dropped)."""
    rest = _MENTION_OR_LINK.sub(" ", text)
    return any(not (char.isspace() or unicodedata.category(char).startswith("P")) for char in rest)


def read_table(path: Path, columns: Iterable[str], delimiter: str = ",") -> datasets.Dataset:
    """Read a CSV/TSV with `datasets`, failing with the expected and found columns."""
    if not path.is_file():
        raise FileNotFoundError(
            f"corpus file {path} not found. Set `data_dir` in the training config or the "
            "RABAT_DATA_DIR environment variable to the folder holding the corpora "
            "(see docs/corpora.md for the expected layout)."
        )
    table = datasets.load_dataset(
        "csv", data_files=str(path), delimiter=delimiter, split="train", keep_default_na=False
    )
    expected = list(columns)
    missing = [c for c in expected if c not in table.column_names]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {missing}; expected {expected}, found "
            f"{table.column_names}. Is this the right file and release of the corpus?"
        )
    return table


def to_records(
    table: datasets.Dataset,
    source: str,
    text_column: str,
    convert: Callable[[dict[str, Any]], Record | None],
    language: str = "en",
) -> datasets.Dataset:
    """Map a raw table onto unified records; rows `convert` returns None for are dropped.
    `language` is the corpus's, unless a record names its own."""

    cleaning = CLEANING  # in the closure, so `datasets` re-maps when the clean-up changes

    def batch_fn(
        batch: dict[str, list[Any]], cleaning: str = cleaning, language: str = language
    ) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {name: [] for name in FEATURES}
        size = len(batch[text_column])
        for i in range(size):
            row = {key: values[i] for key, values in batch.items()}
            text, offsets = clean_with_offsets(str(row[text_column] or ""))
            record = convert(row)
            if record is None or not text:
                continue
            record = finalise(record)
            evidence = offsets.to_clean(list(record.evidence or ()))
            out["text"].append(text)
            out["label"].append(record.label.value)
            out["source"].append(source)
            out["targets"].append(sorted(record.targets or ()))
            out["targets_known"].append(record.targets is not None)
            out["call_to_violence"].append(_flag(record.call_to_violence))
            out["dehumanisation"].append(_flag(record.dehumanisation))
            out["evidence"].append(flatten_spans(evidence))
            out["evidence_known"].append(record.evidence is not None)
            out["language"].append(record.language or language)
            out["group"].append(record.group)
        return out

    return table.map(
        batch_fn,
        batched=True,
        remove_columns=table.column_names,
        features=FEATURES,
        desc=f"mapping {source}",
    )


def _flag(value: bool | None) -> int:
    return UNKNOWN if value is None else int(value)
