"""The released model's card (release/MODEL_CARD.md), written from the files beside it: what it
is, how it was trained, every corpus with its licence, its scores, and what the release folder
keeps of the encoder's vocabulary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


def _read(model_dir: Path, name: str) -> Any:
    return json.loads((model_dir / name).read_text(encoding="utf-8"))


def card(model_dir: Path, record: dict[str, Any]) -> str:
    """MODEL_CARD.md for the model in `model_dir`, with the release `record`."""
    metrics = _read(model_dir, "metrics.json")
    manifest = _read(model_dir, "data_manifest.json")
    config = yaml.safe_load((model_dir / "training_config.yaml").read_text(encoding="utf-8"))
    train = config["train"]
    licences = manifest["licences"]
    lines = [
        f"# Rabat released model {record['version']}",
        "",
        "Labels `none`, `offensive`, `hate_speech`, `incitement` (rabat/labels.py), with",
        "target-group, call-to-violence, dehumanisation and token-evidence heads. Encoder:",
        f"multilingual-e5-small, fine-tuned with `{config['name']}` (configs/release.yaml):",
        f"{train['epochs']} epoch(s), {train['freeze_layers']} bottom layers frozen, max_length",
        f"{train['max_length']}, learning rate {train['learning_rate']}. Served as int8 ONNX",
        "(dynamic quantisation, per-channel weights).",
        "",
        "## Data and licences",
        "",
        "Commercial use: "
        + (
            "every corpus below allows it (no NonCommercial corpus, none without a stated licence)."
            if licences["free_of_noncommercial_data"] and not licences["unstated_licence_corpora"]
            else "**not free of restricted data**: see the corpora marked below."
        ),
        "",
        "| corpus | language | licence | rows |",
        "|---|---|---|---|",
    ]
    for name, source in manifest["sources"].items():
        lines.append(
            f"| {name} | {source.get('language', '')} | {source.get('licence', '')} | "
            f"{source['rows']} |"
        )
    if licences.get("restrictions"):
        lines += ["", "Restrictions stated by the corpora:", ""]
        lines += [f"- {name}: {text}" for name, text in licences["restrictions"].items()]
    if licences.get("excluded_noncommercial"):
        lines += [
            "",
            f"Left out as NonCommercial: {', '.join(licences['excluded_noncommercial'])}.",
        ]
    lines += scores_section(metrics)
    lines += operating_point_section(metrics)
    lines += signal_policy_section(model_dir)
    lines += vocabulary_section(record)
    return "\n".join(lines)


def scores_section(metrics: dict[str, Any]) -> list[str]:
    """The model's scores on its own splits, and as served at the operating point."""
    lines = ["", "## Scores (on the model's own splits; docs/release.md compares releases)", ""]
    lines += [
        f"- dev macro-F1 {metrics['dev']['macro_f1']:.3f}, test macro-F1 "
        f"{metrics['test']['macro_f1']:.3f} ({metrics['dev']['n']} rows each)",
        f"- incitement F1 on dev {metrics['dev']['per_label']['incitement']['f1'] or 0:.3f}",
        f"- English functional suite {metrics['functional']['overall']:.3f} (every language's "
        "below, with the operating point in force)",
    ]
    served = metrics.get("dev_served")
    if served:
        hateful = served["binary_hateful"]
        lines.append(
            f"- as served (int8) at the operating point, on the same dev rows: macro-F1 "
            f"{served['macro_f1']:.3f}, incitement F1 "
            f"{served['per_label']['incitement']['f1'] or 0:.3f}, hateful precision "
            f"{hateful['precision'] or 0:.3f} and recall {hateful['recall'] or 0:.3f}"
        )
    return lines


def operating_point_section(metrics: dict[str, Any]) -> list[str]:
    """The operating point in force (rabat.model.operating_point) and every language's suite."""
    point = metrics.get("operating_point")
    if not point:
        return ["", "## Operating point", "", "The top label (argmax): no operating point."]
    chosen = point.get("chosen", {}).get("languages", {})
    suites = metrics.get("functional_languages") or {}
    lines = [
        "",
        "## Operating point",
        "",
        "The label is decided the way the levels are defined: hateful when p(hate_speech) +",
        "p(incitement) reaches the language's bar, then incitement when incitement's share of",
        "that reaches its bar, else offensive or none (rabat.model.operating_point). The bars",
        "were chosen on dev and on the functional suites (training/operating_point.py); GET",
        f"/model states them. Other languages: hateful {point['hateful_other']:.3f}, incitement "
        f"share {point['incitement_other']:.2f}.",
        "",
        "| language | hateful bar | incitement share bar | dev rows | functional suite |",
        "|---|---|---|---|---|",
    ]
    for code in sorted(set(point["hateful"]) | set(suites)):
        suite = suites.get(code, {}).get("overall")
        lines.append(
            f"| {code} | {point['hateful'].get(code, point['hateful_other']):.3f} | "
            f"{point['incitement'].get(code, point['incitement_other']):.2f} | "
            f"{chosen.get(code, {}).get('dev_rows', 0)} | "
            f"{'' if suite is None else f'{suite:.3f}'} |"
        )
    return lines


def signal_policy_section(model_dir: Path) -> list[str]:
    """The evidence policy and target-group bars fitted on dev (signal_policy.json)."""
    path = model_dir / "signal_policy.json"
    if not path.is_file():
        return []
    report = json.loads(path.read_text(encoding="utf-8")).get("report") or {}
    lines = ["", "## Evidence and target groups (signal_policy.json, fitted on dev)", ""]
    for code, found in sorted((report.get("evidence") or {}).get("languages", {}).items()):
        lines.append(
            f"- evidence, {code} ({found['rows']} rationale rows): character F1 "
            f"{found['default_f1']:.3f} with the default policy, {found['fitted_f1']:.3f} fitted"
        )
    for group, found in ((report.get("targets") or {}).get("groups") or {}).items():
        bar = found.get("bar")
        lines.append(
            f"- target `{group}`: "
            + (
                f"listed from {bar:.2f} (precision {found['precision']:.2f}, recall "
                f"{found['recall']:.2f})"
                if bar is not None
                else f"never listed ({found.get('reason', 'no bar')})"
            )
        )
    return lines


def vocabulary_section(record: dict[str, Any]) -> list[str]:
    """What the release keeps of the vocabulary, its coverage, and the cost of the cut."""
    vocab = record["vocabulary"]
    lines = [
        "",
        "## Vocabulary",
        "",
        f"{vocab['pieces_kept']} of the encoder's {vocab['pieces_before']} pieces are kept:",
        "every single-character piece of the served scripts, every piece of the functional",
        "suites, the pieces of the model's corpora in the served languages (its dev and test",
        "texts left out), commonest first, then the most probable others of those scripts.",
        "Dev texts, which the choice never saw, per language:",
        "",
        "| language | dev texts | texts tokenised as before | tokens kept |",
        "|---|---|---|---|",
    ]
    for language, found in sorted(vocab["coverage"].items()):
        lines.append(
            f"| {language} | {found['texts']} | {found['same_tokens']:.4f} | "
            f"{found['tokens_kept']:.4f} |"
        )
    agree = record["parity_with_untrimmed"]
    lines += [
        "",
        f"Against the untrimmed model (both PyTorch fp32; the int8 export's own cost is in "
        f"onnx_export.json) on {agree['dev_texts']} dev texts: label agreement "
        f"{agree['label_agreement']:.4f}, largest probability difference "
        f"{agree['max_abs_prob_diff']:.4f}; dev macro-F1 {agree['macro_f1_untrimmed']:.4f} "
        f"untrimmed, {agree['macro_f1_trimmed']:.4f} trimmed.",
        "",
    ]
    return lines
