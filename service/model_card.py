"""What GET /model says: the model's identity, labels, training metrics and data, in brief.

Read once at start-up from the model directory (rabat_model.json through the loaded
classifier, metrics.json and data_manifest.json written by training). A file that is missing
or has an unexpected shape gives `null` for its part, with a note, rather than failing start-up:
the model itself loaded, and these files are documentation.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from rabat.attributes.calibration import CALIBRATION_FILE
from rabat.attributes.quantities import QUANTITIES
from rabat.labels import DEFINITIONS
from rabat.model.meta import ModelMeta
from rabat.model.signal_policy import SignalPolicy, read_signal_policy
from rabat.signals import TARGET_GROUP_DEFINITIONS
from service.settings import Settings

logger = logging.getLogger(__name__)


def read_model_card(meta: ModelMeta, settings: Settings) -> dict[str, Any]:
    """The body of GET /model."""
    metrics = _read_json(settings.model_dir / "metrics.json")
    manifest = _read_json(settings.model_dir / "data_manifest.json")
    return {
        "version": meta.version,
        "base_model": meta.base_model,
        "max_length": meta.max_length,
        "labels": list(meta.labels),
        "label_definitions": {label: DEFINITIONS[label] for label in meta.labels},
        "target_groups": list(meta.target_groups),
        "target_group_definitions": {
            g: TARGET_GROUP_DEFINITIONS.get(g, "") for g in meta.target_groups
        },
        "binary_signals": list(meta.binary_signals),
        "operating_point": operating_point_summary(meta, metrics),
        "metrics": _metrics_summary(metrics),
        "data": _data_summary(manifest),
        "languages": languages_summary(metrics, manifest, settings.model_dir),
        "attributes": attributes_summary(_read_json(settings.model_dir / CALIBRATION_FILE)),
        "signal_policy": signal_policy_summary(settings.model_dir),
        "policy": {"path": str(settings.policy_path), "sha256": _sha256(settings.policy_path)},
        "service": {
            "evidence": settings.evidence,
            "max_text_chars": settings.max_text_chars,
            "max_batch_items": settings.max_batch_items,
            "max_body_bytes": settings.max_body_bytes,
        },
    }


def operating_point_summary(meta: ModelMeta, metrics: dict[str, Any] | None) -> dict[str, Any]:
    """How scores become the label (rabat.model.operating_point): the rule and the bars in
    force, and, when training recorded it, hateful precision and recall on dev at other bars so
    a deployment can pick its own."""
    point = meta.operating_point
    if point is None:
        return {"rule": "argmax", "note": "trained before the operating point: the top label"}
    found = {
        **point.to_json(),
        "meaning": "hateful when p(hate_speech) + p(incitement) >= the language's `hateful` bar "
        "(`hateful_other` for any other language); then incitement when p(incitement) / "
        "p(hateful) >= its `incitement` bar; otherwise offensive or none, whichever is higher",
    }
    chosen = ((metrics or {}).get("operating_point") or {}).get("chosen") or {}
    if isinstance(chosen.get("dev_tradeoff"), dict):
        found["dev_tradeoff"] = chosen["dev_tradeoff"]
    return found


def attributes_summary(found: dict[str, Any] | None) -> dict[str, Any]:
    """Whether the drop-in formats' scores are calibrated, and each quantity's dev quality."""
    if found is None:
        return {"calibrated": False, "quality": {}}
    report = (found.get("report") or {}).get("attributes") or {}
    return {
        "calibrated": set(found.get("curves") or {}) == set(QUANTITIES),
        "quality": {
            name: {key: r.get(key) for key in ("rows", "positives", "roc_auc", "ece")}
            for name, r in report.items()
        },
    }


def signal_policy_summary(model_dir: Path) -> dict[str, Any] | None:
    """The evidence policy per language and the target bar per group in force: the model's own
    (signal_policy.json, `fitted` true) or the defaults; a group not named takes the Rabat
    policy's `intent.target_bar`, a `null` bar is never listed."""
    try:
        found = read_signal_policy(model_dir)
    except ValueError as error:
        logger.warning("GET /model leaves the signal policy out: %s", error)
        return None
    body = (found or SignalPolicy()).to_json()
    return {
        "fitted": found is not None,
        "evidence": body["evidence"],
        "target_bars": body["target_bars"],
        "targets": (found.report.get("targets") or {}).get("after") if found else None,
    }


def _metrics_summary(metrics: dict[str, Any] | None) -> dict[str, Any] | None:
    if metrics is None:
        return None
    summary: dict[str, Any] = {"best_epoch": metrics.get("best_epoch")}
    for split in ("dev", "test"):
        found = metrics.get(split)
        if not isinstance(found, dict):
            summary[split] = None
            continue
        per_label = found.get("per_label") or {}
        summary[split] = {
            "n": found.get("n"),
            "accuracy": found.get("accuracy"),
            "macro_f1": found.get("macro_f1"),
            "per_label_f1": {
                label: values.get("f1")
                for label, values in per_label.items()
                if isinstance(values, dict)
            },
        }
    return summary


def _data_summary(manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    if manifest is None:
        return None
    sources = manifest.get("sources") or {}
    rows_per_label = manifest.get("rows_per_label") or {}
    return {
        "sources": {
            name: info.get("rows") for name, info in sources.items() if isinstance(info, dict)
        },
        "rows_per_split": {
            split: sum(counts.values())
            for split, counts in rows_per_label.items()
            if isinstance(counts, dict)
        },
        "rows_per_label": rows_per_label,
        "deduplication": manifest.get("deduplication"),
        "split": manifest.get("split"),
        # which licences the training data came under; null for models trained before this
        "licences": manifest.get("licences"),
        # rows with rationales the evidence head learnt from, per split
        "evidence": manifest.get("evidence"),
    }


def languages_summary(
    metrics: dict[str, Any] | None, manifest: dict[str, Any] | None, model_dir: Path
) -> dict[str, Any]:
    """The languages the model was trained on (its corpora's), and those measured: dev
    macro-F1 per language, and the functional suite per language where
    `python -m evaluation multilingual` has written `eval/multilingual.json`; with per-language
    shifts (rabat.model.language_shift), each language's and the others'."""
    sources = (manifest or {}).get("sources") or {}
    trained = sorted(
        {str(info.get("language", "en")) for info in sources.values() if isinstance(info, dict)}
    )
    dev: dict[str, Any] = {}
    if metrics:
        per_language = metrics.get("dev_per_language")
        if isinstance(per_language, dict):
            dev = {k: v.get("macro_f1") for k, v in per_language.items() if isinstance(v, dict)}
        elif isinstance(metrics.get("dev"), dict) and trained == ["en"]:
            dev = {"en": metrics["dev"].get("macro_f1")}
    functional: dict[str, Any] = {}
    evaluated = model_dir / "eval/multilingual.json"
    found = _read_json(evaluated) if evaluated.is_file() else None
    if found:
        for result in (found.get("models") or {}).values():
            if isinstance(result, dict) and result.get("model") == str(model_dir.resolve()):
                functional = {
                    code: value.get("overall")
                    for code, value in (result.get("functional") or {}).items()
                    if isinstance(value, dict)
                }
    if not functional and isinstance((metrics or {}).get("functional_languages"), dict):
        # the gate's suites, scored at publication with the operating point in force
        functional = {
            code: value.get("overall")
            for code, value in metrics["functional_languages"].items()  # type: ignore[index]
            if isinstance(value, dict)
        }
    summary = {"trained": trained, "dev_macro_f1": dev, "functional": functional}
    shift = (metrics or {}).get("language_shift")
    if isinstance(shift, dict) and isinstance(shift.get("shifts"), dict):
        # rabat.model.language_shift: what prediction adds to the hateful labels, per language
        summary["hateful_shift"] = {**shift["shifts"], "other": shift.get("other", 0.0)}
    return summary


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        logger.warning("GET /model will not show %s: %s", path.name, err)
        return None
    if not isinstance(found, dict):
        logger.warning("GET /model will not show %s: expected a JSON object", path.name)
        return None
    return found


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
