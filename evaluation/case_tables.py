"""The case bank's result as tables: agreement per part, the confusion of outcomes x decisions,
and the functional suite's threats (for `make cases` and the evaluation report)."""

from __future__ import annotations

from typing import Any

from evaluation.case_bank import DECISIONS, OUTCOMES

Table = tuple[list[str], list[list[str]]]


AGREEMENT_HEAD = [
    "part",
    "cases",
    "agreement",
    "incitement recall",
    "protected met",
    "hate speech met",
    "undetermined",
    "label agreement",
]


def table_rows(result: dict[str, Any]) -> list[Table]:
    """The agreement table, the confusion per part, and the functional threats, as tables."""
    tables = [_agreement_table(result)]
    tables += [_confusion_table(result, part) for part in ("held_apart", "all")]
    if "functional" in result:
        tables.append(_functional_table(result["functional"]))
    return tables


def _agreement_table(result: dict[str, Any]) -> Table:
    """One row per part, then one per baseline on the held-apart part."""
    rows = [
        [
            part,
            str(m["cases"]),
            *(
                _fmt(m[k])
                for k in (
                    "decision_agreement",
                    "incitement_recall",
                    "protected_met",
                    "hate_speech_met",
                )
            ),
            str(m["undetermined"]),
            _fmt(m["label_agreement"]),
        ]
        for part, m in [
            *result["parts"].items(),
            *((f"held_apart, {n}", m) for n, m in result["baselines"].items()),
        ]
    ]
    return AGREEMENT_HEAD, rows


def _confusion_table(result: dict[str, Any], part: str) -> Table:
    confusion = result["parts"][part]["confusion"]
    return (
        [f"{part}: outcome \\ decision", *DECISIONS],
        [[o, *(str(confusion[o][d]) for d in DECISIONS)] for o in OUTCOMES],
    )


def _functional_table(f: dict[str, Any]) -> Table:
    return (
        ["functional suite", "texts", "share", "target"],
        [
            [
                "threats, high-risk public: met",
                str(f["threats"]),
                _fmt(f["threats_high_risk_public_met"]),
                ">= 0.90",
            ],
            [
                "threats, low-risk private: not met",
                str(f["threats"]),
                _fmt(f["threats_low_risk_private_not_met"]),
                ">= 0.90",
            ],
            [
                "counter-speech, high-risk public: not met",
                str(f["counter_speech"]),
                _fmt(f["counter_speech_high_risk_public_not_met"]),
                "-",
            ],
        ],
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def markdown(head: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table's lines."""
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
