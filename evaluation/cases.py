"""The case bank: adjudicated cases that check the Rabat decision against the bodies' findings.

    python -m evaluation cases --model models/rabat-minilm/latest        # make cases
    python -m evaluation cases --model DIR --bank docs/cases --part held_apart --json out.json

Each case (docs/cases/*.jsonl, described in docs/cases/README.md) holds the expression as the
decision quotes it, the circumstances the body established (as a `rabat.context.Context`) and
the outcome: `incitement` (the decision should be "met"), `hate_speech` below the threshold or
`protected` (both "not met"). "Undetermined" on a case counts as a disagreement: every case
comes with its circumstances.

A third of each outcome is held apart (by a hash of the case id, so nobody picks it): tune
`configs/rabat.yaml` on the `calibration` part, report the `held_apart` part.

The functional suite's threat texts are scored too, in a high-risk public context (the
decision should be "met") and a low-risk private one ("not met"), and its counter-speech texts
in the high-risk public context ("not met").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rabat.analysis import Analyzer
from rabat.context import Context

BANK = Path(__file__).resolve().parents[1] / "docs" / "cases"
POLICY = Path(__file__).resolve().parents[1] / "configs" / "rabat.yaml"
Outcome = Literal["incitement", "hate_speech", "protected"]
OUTCOMES: tuple[str, ...] = ("incitement", "hate_speech", "protected")
DECISIONS: tuple[str, ...] = ("met", "not_met", "undetermined")
EXPECTED: dict[str, str] = {"incitement": "met", "hate_speech": "not_met", "protected": "not_met"}
LABEL_OF_OUTCOME: dict[str, frozenset[str]] = {
    "incitement": frozenset({"incitement"}),
    "hate_speech": frozenset({"hate_speech"}),
    "protected": frozenset({"none", "offensive"}),
}
PARTS: tuple[str, ...] = ("calibration", "held_apart", "all")
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


class Case(BaseModel):
    """One adjudicated case; see docs/cases/README.md for each field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    forum: Literal["international_tribunal", "ecthr", "un_treaty_body", "national_court"]
    body: str
    case: str
    citation: str
    year: int = Field(ge=1900, le=2100)
    source_url: str | None
    expression: str = Field(min_length=1)
    expression_source: str
    quote_verified: bool
    original_language: str
    standard: str
    outcome: Outcome
    finding: str
    circumstances: str
    context: Context


def load_bank(path: str | Path = BANK) -> list[Case]:
    """Every case in a .jsonl file, or in every .jsonl file of a folder; errors name the file,
    the line and the field."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise FileNotFoundError(
            f"no case bank at {path}: expected a .jsonl file or a folder of them"
        )
    cases: list[Case] = []
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                cases.append(Case.model_validate_json(line))
            except ValidationError as err:
                raise ValueError(f"{file}, line {number}: not a valid case:\n{err}") from None
    seen = Counter(c.id for c in cases)
    twice = sorted(i for i, n in seen.items() if n > 1)
    if twice:
        raise ValueError(f"case ids must be unique; found twice: {twice}")
    return cases


def part_of(cases: Sequence[Case]) -> dict[str, str]:
    """`held_apart` for every third case of each outcome in the order of a hash of its id,
    `calibration` for the rest: stable as cases are added, and chosen by nobody."""
    parts: dict[str, str] = {}
    for outcome in OUTCOMES:
        ids = sorted(
            (c.id for c in cases if c.outcome == outcome),
            key=lambda i: hashlib.sha256(i.encode()).hexdigest(),
        )
        parts |= {i: ("held_apart" if n % 3 == 2 else "calibration") for n, i in enumerate(ids)}
    return parts


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
    backend: str = "torch",
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


def table_rows(result: dict[str, Any]) -> list[tuple[list[str], list[list[str]]]]:
    """The agreement table, the confusion per part, and the functional threats, as tables."""
    head = [
        "part",
        "cases",
        "agreement",
        "incitement recall",
        "protected met",
        "hate speech met",
        "undetermined",
        "label agreement",
    ]
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
    tables = [(head, rows)]
    for part in ("held_apart", "all"):
        confusion = result["parts"][part]["confusion"]
        tables.append(
            (
                [f"{part}: outcome \\ decision", *DECISIONS],
                [[o, *(str(confusion[o][d]) for d in DECISIONS)] for o in OUTCOMES],
            )
        )
    if "functional" in result:
        f = result["functional"]
        tables.append(
            (
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
        )
    return tables


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _markdown(head: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation cases",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", required=True, help="a model directory")
    parser.add_argument("--bank", default=str(BANK), help="a .jsonl case file or a folder")
    parser.add_argument("--policy", default=str(POLICY), help="the Rabat policy YAML")
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
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
    args = parser.parse_args(argv)
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
        print("\n".join(_markdown(head, rows)), end="\n\n")
    for row in result["cases"]:
        if args.part in ("all", row["part"]):
            mark = "ok " if row["decision"] == row["expected"] else "NO "
            print(
                f"{mark}{row['part'][:4]} {row['id']}: {row['outcome']} -> {row['decision']} "
                f"(label {row['label']}); {row['summary']}"
            )
    if args.json:
        from rabat.files import write_text

        write_text(Path(args.json), json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
