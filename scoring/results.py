"""One scored row as a flat record, and the Arrow schema every output part shares.

The columns (docs/scoring.md): the kept input columns (id first), then

    label, score_<label> x4         the label and its four probabilities
    targets, target_<group> x7      the groups detected (above the policy's bar) and each one's p
    call_to_violence, dehumanisation
    evidence                        spans {start, end, text, kind, weight} in the text as given
    decision, combined_score        the Rabat threshold test: met / not_met / undetermined
    drivers, missing_factors, rabat_summary
    language, truncated, windows, model_version
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from rabat.assessment.decision import decision_name
from rabat.labels import LABELS
from rabat.signals import TARGET_GROUPS

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analysis
    from scoring.inputs import Item

EVIDENCE_TYPE = pa.list_(
    pa.struct(
        [
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("text", pa.string()),
            ("kind", pa.string()),
            ("weight", pa.float32()),
        ]
    )
)
RESULT_FIELDS: list[tuple[str, pa.DataType]] = [
    ("label", pa.string()),
    *[(f"score_{label}", pa.float32()) for label in LABELS],
    ("targets", pa.list_(pa.string())),
    *[(f"target_{group}", pa.float32()) for group in TARGET_GROUPS],
    ("call_to_violence", pa.float32()),
    ("dehumanisation", pa.float32()),
    ("evidence", EVIDENCE_TYPE),
    ("decision", pa.string()),
    ("combined_score", pa.float32()),
    ("drivers", pa.list_(pa.string())),
    ("missing_factors", pa.list_(pa.string())),
    ("rabat_summary", pa.string()),
    ("language", pa.string()),
    ("truncated", pa.bool_()),
    ("windows", pa.int32()),
    ("model_version", pa.string()),
]
RESULT_COLUMNS = tuple(name for name, _ in RESULT_FIELDS)


def output_schema(keep: tuple[str, ...], kept_types: dict[str, pa.DataType] | None) -> pa.Schema:
    """The kept columns (their Parquet types, else strings), then the result columns."""
    clash = sorted(set(keep) & set(RESULT_COLUMNS))
    if clash:
        raise ValueError(
            f"input column(s) {', '.join(clash)} have the names of result columns: rename them, "
            "or leave them out with --keep"
        )
    types = kept_types or {}
    kept = [(name, types.get(name, pa.string())) for name in keep]
    return pa.schema(kept + RESULT_FIELDS)


def to_record(item: Item, analysis: Analysis, target_bar: float, version: str) -> dict[str, Any]:
    """The output row for one scored item."""
    p, a = analysis.prediction, analysis.assessment
    record: dict[str, Any] = dict(item.keep)
    record["label"] = p.label
    for label in LABELS:
        record[f"score_{label}"] = p.scores[label]
    record["targets"] = analysis.detected(target_bar)
    for group in TARGET_GROUPS:
        record[f"target_{group}"] = p.target_groups[group]
    record["call_to_violence"] = p.call_to_violence
    record["dehumanisation"] = p.dehumanisation
    record["evidence"] = [span.to_dict() for span in analysis.evidence]
    record["decision"] = decision_name(a.threshold_met)
    record["combined_score"] = a.combined_score
    record["drivers"] = list(a.drivers)
    record["missing_factors"] = list(a.missing_factors)
    record["rabat_summary"] = a.summary
    record["language"] = analysis.language.code
    record["truncated"] = p.truncated
    record["windows"] = p.windows
    record["model_version"] = version
    return record


def to_table(records: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Records as a table of exactly `schema` (every part of one run has the same one)."""
    return pa.Table.from_pylist(records, schema=schema)
