"""The case bank: adjudicated cases that check the Rabat decision against the bodies' findings.

    python -m evaluation cases --model models/rabat-minilm/latest        # make cases
    python -m evaluation cases --model DIR --bank docs/cases --part held_apart --json out.json

The bank, its outcomes and its parts: evaluation/case_bank.py. "Undetermined" on a case counts
as a disagreement: every case comes with its circumstances.

The functional suite's threat texts are scored too, in a high-risk public context (the
decision should be "met") and a low-risk private one ("not met"), and its counter-speech texts
in the high-risk public context ("not met").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation.case_bank import (
    BANK,
    DECISIONS,
    EXPECTED,
    LABEL_OF_OUTCOME,
    OUTCOMES,
    PARTS,
    POLICY,
    Case,
    load_bank,
    part_of,
)
from evaluation.case_tables import markdown, table_rows
from rabat.assessment.analysis import Analyzer
from rabat.assessment.context import Context

BASELINES: dict[str, Any] = {
    "always not met": lambda row: "not_met",
    "label only (met iff labelled incitement)": lambda row: (
        "met" if row["label"] == "incitement" else "not_met"
    ),
}
"""Decisions to compare with, on the held-apart part, in the same run."""


HIGH_RISK_PUBLIC = Context.model_validate(
    {
        "speaker": {"role": "public_figure", "influence": "high", "followers": 50_000},
        "reach": {"public": True, "medium": "social_media_post", "audience_size": 50_000},
        "setting": {
            "armed_conflict": True,
            "recent_violence_against_target": True,
            "intergroup_tensions": True,
            "risk_level": "high",
        },
    }
)


LOW_RISK_PRIVATE = Context.model_validate(
    {
        "speaker": {"role": "private_person", "influence": "low"},
        "reach": {"public": False, "medium": "private_message", "audience_size": 12},
        "setting": {
            "armed_conflict": False,
            "recent_violence_against_target": False,
            "risk_level": "low",
        },
    }
)


def decide(analyzer: Analyzer, cases: Sequence[Case]) -> list[dict[str, Any]]:
    """Each case's decision, label and the factors behind them (no text)."""
    parts = part_of(cases)
    found = analyzer.analyze([c.expression for c in cases], [c.context for c in cases])
    rows = []
    for case, analysis in zip(cases, found, strict=True):
        result = analysis.to_dict(analyzer.target_bar)
        rabat = result["rabat"]
        rows.append(
            {
                "id": case.id,
                "part": parts[case.id],
                "forum": case.forum,
                "outcome": case.outcome,
                "expected": EXPECTED[case.outcome],
                "decision": rabat["decision"],
                "label": result["label"],
                "scores": {n: f["score"] for n, f in rabat["factors"].items()},
                "summary": rabat["summary"],
            }
        )
    return rows


def agreement(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Decision agreement, incitement recall, protected and hate speech wrongly met, label
    agreement, and the confusion of outcomes x decisions."""
    by = defaultdict(list)
    for row in rows:
        by[row["outcome"]].append(row)

    def share(group: list[dict[str, Any]], decision: str) -> float | None:
        return sum(r["decision"] == decision for r in group) / len(group) if group else None

    confusion = {
        o: {d: sum(r["decision"] == d for r in by[o]) for d in DECISIONS} for o in OUTCOMES
    }
    return {
        "cases": len(rows),
        "decision_agreement": (
            sum(r["decision"] == r["expected"] for r in rows) / len(rows) if rows else None
        ),
        "incitement_recall": share(by["incitement"], "met"),
        "protected_met": share(by["protected"], "met"),
        "hate_speech_met": share(by["hate_speech"], "met"),
        "undetermined": sum(r["decision"] == "undetermined" for r in rows),
        "label_agreement": (
            sum(r["label"] in LABEL_OF_OUTCOME[r["outcome"]] for r in rows) / len(rows)
            if rows
            else None
        ),
        "confusion": confusion,
    }


def functional_threats(analyzer: Analyzer, data_dir: Path) -> dict[str, Any]:
    """The functional suite's threat texts in a high-risk public and a low-risk private context,
    and its counter-speech texts in the high-risk public one."""
    from training.functional.suite import build_cases

    suite = build_cases(data_dir)
    threats = [c.text for c in suite if c.category.startswith("threat_")]
    counter = [c.text for c in suite if c.category.startswith("counter_speech_")]
    read = {  # the model reads each text once; only the assessment sees the contexts
        "threats": list(zip(threats, analyzer.classifier.predict(threats), strict=True)),
        "counter": list(zip(counter, analyzer.classifier.predict(counter), strict=True)),
    }

    def rate(which: str, context: Context, decision: str) -> float | None:
        wanted = {"met": True, "not_met": False}[decision]
        spans = analyzer.evidence_policy.spans if analyzer.evidence else (lambda t, p: [])
        found = [
            analyzer.assessor.assess(text, pred, context, spans(text, pred))
            for text, pred in read[which]
        ]
        return sum(a.threshold_met is wanted for a in found) / len(found) if found else None

    return {
        "threats": len(threats),
        "threats_high_risk_public_met": rate("threats", HIGH_RISK_PUBLIC, "met"),
        "threats_low_risk_private_not_met": rate("threats", LOW_RISK_PRIVATE, "not_met"),
        "counter_speech": len(counter),
        "counter_speech_high_risk_public_not_met": rate("counter", HIGH_RISK_PUBLIC, "not_met"),
    }


def evaluate(
    model_dir: str | Path,
    bank: str | Path = BANK,
    policy: str | Path = POLICY,
    data_dir: Path | None = None,
    backend: str = "auto",
) -> dict[str, Any]:
    """Everything `make cases` prints, as one JSON-able dict."""
    analyzer = Analyzer.load(model_dir, policy, backend=backend)
    cases = load_bank(bank)
    rows = decide(analyzer, cases)
    parts = {p: agreement([r for r in rows if p == "all" or r["part"] == p]) for p in PARTS}
    held = [r for r in rows if r["part"] == "held_apart"]
    baselines = {
        name: agreement([r | {"decision": decide_row(r)} for r in held])
        for name, decide_row in BASELINES.items()
    }
    result: dict[str, Any] = {
        "model_version": analyzer.classifier.version,
        "policy": str(policy),
        "bank": str(bank),
        "parts": parts,
        "baselines": baselines,
        "cases": rows,
    }
    if data_dir is not None:
        result["functional"] = functional_threats(analyzer, data_dir)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from training.config import data_dir

    try:
        result = evaluate(
            args.model,
            args.bank,
            args.policy,
            None if args.no_functional else data_dir(),
            args.backend,
        )
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"case bank {args.bank}, model {result['model_version']}, policy {args.policy}\n")
    for head, rows in table_rows(result):
        print("\n".join(markdown(head, rows)), end="\n\n")
    for row in result["cases"]:
        if args.part in ("all", row["part"]):
            mark = "ok " if row["decision"] == row["expected"] else "NO "
            print(
                f"{mark}{row['part'][:4]} {row['id']}: {row['outcome']} -> {row['decision']} "
                f"(label {row['label']}); {row['summary']}"
            )
    if args.json:
        from rabat.store.files import write_text

        write_text(Path(args.json), json.dumps(result, indent=2) + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation cases",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", required=True, help="a model directory")
    parser.add_argument("--bank", default=str(BANK), help="a .jsonl case file or a folder")
    parser.add_argument("--policy", default=str(POLICY), help="the Rabat policy YAML")
    parser.add_argument(
        "--backend",
        default="auto",
        choices=["auto", "torch", "onnx", "onnx-int8"],
        help="auto: int8 ONNX when the model has it (the release ships only that), else torch",
    )
    parser.add_argument(
        "--part",
        default="all",
        choices=PARTS,
        help="which cases to list one by one (the table shows every part)",
    )
    parser.add_argument(
        "--no-functional", action="store_true", help="skip the functional suite's threat texts"
    )
    parser.add_argument("--json", help="also write the whole result to this file")
    return parser


if __name__ == "__main__":
    sys.exit(main())
