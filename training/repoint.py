"""Choose the operating point of a model already published, as it is served, and save it.

    python -m training.repoint --model models/rabat-release/VERSION [--splits DIR] \
        [--languages en,fr,...] [--backend auto]

Training chooses the operating point itself (training/decision.py); this does the same for a
model trained before it existed, or again on new suites. It scores the dev split of `--splits`
(default: the model's own) and every language's functional suite with the model's scores before
any shift or operating point, chooses the bars (training/operating_point.py), writes them into the
model's `rabat_model.json` (any language shifts are dropped: the bars replace them) and the choice
into its `metrics.json` (`operating_point`). Weights are not touched.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from rabat.labels import LABELS
from rabat.model.loader import load_classifier
from rabat.store.files import write_text
from training import operating_point as choosing
from training.config import data_dir
from training.config_sections import GateConfig
from training.decision import labeller, suite_scores
from training.functional import suite
from training.functional.suite import LANGUAGES, build_all
from training.gate import record
from training.metrics import compute_metrics

logger = logging.getLogger(__name__)


def scores(classifier: Any, texts: list[str]) -> np.ndarray:
    """n x 4 probabilities, in LABELS order, before any shift or operating point."""
    found = classifier.predict(texts)
    return np.array([[p.scores[label] for label in LABELS] for p in found])


def saved_gate(model_dir: Path) -> GateConfig | None:
    """The publish gate of the config saved with the model (None for a model saved without)."""
    path = model_dir / "training_config.yaml"
    if not path.is_file():
        return None
    saved = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return GateConfig(**saved["gate"]) if "gate" in saved else None


def repoint(
    model_dir: Path,
    splits: Path,
    languages: list[str],
    backend: str = "auto",
    corpora: Path | None = None,
) -> dict[str, Any]:
    """Choose and save `model_dir`'s operating point; returns what `metrics.json` records."""
    classifier = load_classifier(model_dir, backend)
    served = classifier.meta
    classifier.meta = replace(
        served, operating_point=None, language_shift={}, language_shift_other=0.0
    )
    dev = pd.read_json(splits / "splits" / "dev.jsonl", lines=True)
    logger.info("scoring %d dev rows of %s", len(dev), splits)
    dev_probs = scores(classifier, dev["text"].tolist())
    cases = build_all(corpora or data_dir(), languages)
    texts = sorted({case.text for found in cases.values() for case in found})
    logger.info("scoring %d suite cases in %d languages", len(texts), len(cases))
    found = dict(zip(texts, classifier.predict(texts), strict=True))
    settings = saved_gate(model_dir)
    suites = suite_scores(cases, found, settings)
    point, report = choosing.choose(dev_probs, list(dev["label"]), list(dev["language"]), suites)
    meta = replace(served, operating_point=point, language_shift={}, language_shift_other=0.0)
    meta.write(model_dir)
    recorded = {**point.to_json(), "chosen": report, "dev_from": str(splits), "backend": backend}
    metrics_path = model_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    metrics["operating_point"] = recorded
    results = suite.score_languages(cases, labeller(meta, found))
    if settings is not None:  # the gate's verdict on the model as it now decides
        record(settings, results, metrics)
    else:
        metrics["functional_languages"] = results
        if "en" in results:
            metrics["functional"] = results["en"]
    decided = choosing.decide_labels(point, dev_probs, list(dev["language"]))
    metrics["dev_served"] = compute_metrics(list(dev["label"]), decided, dev_probs)
    metrics["dev_served"]["from"] = f"{splits}, as served ({backend}), at the operating point"
    metrics.pop("language_shift", None)
    write_text(metrics_path, json.dumps(metrics, indent=2) + "\n")
    return recorded


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.repoint", description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="a published model directory")
    parser.add_argument("--splits", type=Path, help="the model whose dev split to use")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="suites, comma-separated")
    parser.add_argument("--backend", default="auto", help="auto, torch, onnx or onnx-int8")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    languages = [code for code in args.languages.split(",") if code]
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        parser.error(f"no functional suite for {unknown}: expected some of {list(LANGUAGES)}")
    model = args.model.resolve()
    found = repoint(model, (args.splits or model).resolve(), languages, args.backend)
    bars = ", ".join(f"{code} {bar:.3f}" for code, bar in found["hateful"].items())
    print(f"hateful bars: {bars}; others {found['hateful_other']:.3f}")
    print(
        f"incitement share bar {found['incitement_other']:.2f}, per language {found['incitement']}"
    )

    served = json.loads((model / "metrics.json").read_text(encoding="utf-8"))
    suites = served["functional_languages"].items()
    print("suites as served: " + ", ".join(f"{c} {r['overall']:.3f}" for c, r in suites))


if __name__ == "__main__":
    main()
