"""The trained model and the baselines scored on the same labelled files, into one report.

`evaluate_files` is what `python -m evaluation report` runs (evaluation/report_cli.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from evaluation import cases as case_bank
from evaluation import evidence
from evaluation.baselines import Baseline, HateSonarBaseline, TfidfBaseline
from evaluation.report import write_report
from evaluation.tables import TRANSFORMER
from rabat.labels import LABELS
from rabat.model.loader import load_torch
from rabat.model.torch_backend import Classifier
from rabat.text.cleaning import MAX_TEXT_CHARS
from training.config import data_dir
from training.functional.suite import Case
from training.functional.suite import score as score_suite
from training.labelled_files import LabelledRow, read_labelled
from training.metrics import compute_metrics

logger = logging.getLogger(__name__)


DEFAULT_TRAIN_FILE = Path("splits") / "train.jsonl"


class TransformerSystem:
    """The trained classifier behind the same interface as the baselines."""

    name = TRANSFORMER

    def __init__(self, classifier: Classifier, chunk_size: int = 256) -> None:
        self.classifier = classifier
        self.chunk_size = chunk_size

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """n x 4 probabilities in LABELS order, with a progress bar."""
        rows: list[list[float]] = []
        with tqdm(total=len(texts), desc="transformer", unit="text") as bar:
            for start in range(0, len(texts), self.chunk_size):
                chunk = list(texts[start : start + self.chunk_size])
                for pred in self.classifier.predict(chunk):
                    rows.append([pred.scores[label] for label in LABELS])
                bar.update(len(chunk))
        return np.asarray(rows, dtype=float).reshape(len(texts), len(LABELS))


def evaluate_files(
    model_dir: str | Path,
    files: Sequence[str | Path],
    out_dir: str | Path | None = None,
    train_file: str | Path | None = None,
    hatesonar: bool = True,
    limit: int | None = None,
    max_chars: int = MAX_TEXT_CHARS,
    encoding: str = "utf-8",
    functional_cases: Sequence[Case] | None = None,
    evidence_methods: Sequence[str] = (),
    cases: bool = False,
) -> dict[str, Any]:
    """Score the model and baselines on each file (and on the functional suite's cases, when
    given, the evidence with `evidence_methods`: evaluation/evidence.py, and the Rabat
    decision on the case bank with `cases`: evaluation/cases.py), write the report; return the
    metrics.

    Defaults: out_dir is model_dir/eval; train_file (for the TF-IDF baseline) is
    model_dir/splits/train.jsonl when it exists, else that baseline is skipped.
    """
    model_dir = Path(model_dir)
    read = _read_files(files, max_chars, encoding)
    datasets = {key: rows[:limit] for key, rows in read.items()}
    sonar = HateSonarBaseline() if hatesonar else None  # first: fails fast without the locale
    classifier = load_torch(model_dir)
    train_path = _train_file(model_dir, train_file)
    systems = _systems(classifier, train_path, datasets, sonar)
    results = {key: _score(systems, rows) for key, rows in datasets.items()}
    functional = (
        {system.name: score_suite(functional_cases, system.predict_proba) for system in systems}
        if functional_cases
        else None
    )
    found_evidence = (
        evidence.evaluate(model_dir, data_dir(), methods=evidence_methods, limit=limit)
        if evidence_methods
        else None
    )
    bank = case_bank.evaluate(model_dir, data_dir=data_dir()) if cases else None
    meta = _meta(model_dir, classifier, files, train_path, systems, limit)
    out = Path(out_dir) if out_dir is not None else model_dir / "eval"
    page = write_report(results, out, meta, functional, found_evidence, bank)
    return {
        "meta": meta,
        "labels": list(LABELS),
        "files": results,
        "functional": functional,
        "evidence": found_evidence,
        "cases": bank,
        "report": str(page),
    }


def _systems(
    classifier: Classifier,
    train_path: Path | None,
    datasets: dict[str, list[LabelledRow]],
    sonar: HateSonarBaseline | None,
) -> list[Baseline]:
    """The transformer, then TF-IDF (when there is a training file), then HateSonar."""
    systems: list[Baseline] = [TransformerSystem(classifier)]
    if train_path is not None:
        train_rows = read_labelled(train_path)
        systems.append(
            TfidfBaseline.train([r.text for r in train_rows], [r.label for r in train_rows])
        )
        _warn_overlap(datasets, train_rows, train_path)
    if sonar is not None:
        systems.append(sonar)
    return systems


def _meta(
    model_dir: Path,
    classifier: Classifier,
    files: Sequence[str | Path],
    train_path: Path | None,
    systems: Sequence[Baseline],
    limit: int | None,
) -> dict[str, Any]:
    """What was evaluated, with what, and when: the report's header."""
    return {
        "model_dir": str(model_dir),
        "model_version": classifier.version,
        "base_model": classifier.meta.base_model,
        "files": [str(f) for f in files],
        "train_file": str(train_path) if train_path else None,
        "systems": [s.name for s in systems],
        "limit": limit,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _read_files(
    files: Sequence[str | Path], max_chars: int, encoding: str
) -> dict[str, list[LabelledRow]]:
    """Rows per file, keyed by file stem (the full path where two stems collide)."""
    stems = [Path(f).stem for f in files]
    return {
        (Path(f).stem if stems.count(Path(f).stem) == 1 else str(f)): read_labelled(
            f, max_chars, encoding
        )
        for f in files
    }


def _train_file(model_dir: Path, train_file: str | Path | None) -> Path | None:
    if train_file is not None:
        return Path(train_file)
    default = model_dir / DEFAULT_TRAIN_FILE
    if default.is_file():
        return default
    logger.warning(
        "skipping the TF-IDF baseline: no --train-file given and %s does not exist", default
    )
    return None


def _warn_overlap(
    datasets: dict[str, list[LabelledRow]], train_rows: list[LabelledRow], train_path: Path
) -> None:
    seen = {row.text for row in train_rows}
    for key, rows in datasets.items():
        shared = sum(row.text in seen for row in rows)
        if shared:
            logger.warning(
                "%d of %d texts in %s also appear in %s: their scores are optimistic",
                shared,
                len(rows),
                key,
                train_path,
            )


def _score(systems: Sequence[Baseline], rows: list[LabelledRow]) -> dict[str, dict[str, Any]]:
    texts = [row.text for row in rows]
    gold = [row.label for row in rows]
    sources = [row.source for row in rows]
    results = {}
    for system in systems:
        probs = system.predict_proba(texts)
        predicted = [LABELS[i] for i in probs.argmax(axis=1)]
        results[system.name] = compute_metrics(gold, predicted, probs, sources)
        logger.info("%s: macro-F1 %s", system.name, results[system.name]["macro_f1"])
    return results
