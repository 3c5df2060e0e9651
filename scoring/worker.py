"""What each scoring process does: load the model once (ONNX int8, one thread), then score
chunks of rows and write each as a part file under a temporary name.

A chunk the model fails on is scored again one row at a time, so one text that breaks it costs
that row (a reject with the reason), not the run.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from scoring.inputs import Bad, Item
from scoring.results import to_record, to_table

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analysis, Analyzer
    from rabat.assessment.routing import RoutedAnalyzer
    from scoring.job import WorkerSettings

logger = logging.getLogger(__name__)


class Scorer:
    """An Analyzer (label, signals, evidence, Rabat assessment) and the rows it turns out."""

    def __init__(self, analyzer: Analyzer | RoutedAnalyzer) -> None:
        self.analyzer = analyzer
        self.version = analyzer.classifier.version

    @classmethod
    def load(cls, settings: WorkerSettings) -> Scorer:
        """The model of `settings`, behind a router when it names a second one."""
        from rabat.assessment.analysis import Analyzer  # torch and ONNX Runtime load here
        from rabat.assessment.routing import load_routed

        def one(model_dir: Path, _role: str) -> Analyzer:
            return Analyzer.load(
                model_dir, settings.policy, backend=settings.backend, threads=settings.threads
            )

        return cls(
            load_routed(one, settings.model_dir, settings.route_model_dir, settings.route_languages)
        )

    def score(self, items: list[Item]) -> tuple[list[dict[str, Any]], list[Bad]]:
        """The output records of `items` in order, and the rows the model failed on."""
        try:
            analyses: list[Analysis | Exception] = list(self._analyze(items))
        except Exception:
            analyses = [self._one(item) for item in items]
        bar = self.analyzer.target_bar
        records, bad = [], []
        for item, analysis in zip(items, analyses, strict=True):
            if isinstance(analysis, Exception):
                reason = f"the model failed on this text ({type(analysis).__name__}: {analysis})"
                bad.append(Bad(item.line, item.id, reason[:500]))
            else:
                version = analysis.model_version or self.version
                records.append(to_record(item, analysis, bar, version))
        return records, bad

    def _analyze(self, items: list[Item]) -> list[Analysis]:
        return self.analyzer.analyze([i.text for i in items], [i.context for i in items])

    def _one(self, item: Item) -> Analysis | Exception:
        try:
            return self._analyze([item])[0]
        except Exception as err:
            logger.warning("row at line %d: the model failed (%s)", item.line, type(err).__name__)
            return err


def write_part(records: list[dict[str, Any]], path: Path, fmt: str, schema: pa.Schema) -> None:
    """One chunk's records as a Parquet file of `schema`, or as JSON lines."""
    if fmt == "parquet":
        pq.write_table(to_table(records, schema), path)
        return
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl(records, handle)


def write_jsonl(records: list[dict[str, Any]], handle: IO[str]) -> None:
    """Records as JSON lines (kept values JSON cannot hold, e.g. dates, as strings)."""
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


_scorer: Scorer | None = None


def score_part(
    settings: WorkerSettings,
    index: int,
    items: list[Item],
    path: Path,
    fmt: str,
    schema: pa.Schema,
) -> tuple[int, int, list[Bad]]:
    """In a worker process: score one chunk into `path`; (index, rows written, model rejects).
    The model loads on the first chunk, so an error loading it reaches the driver as is."""
    global _scorer
    if _scorer is None:
        _scorer = Scorer.load(settings)
    records, bad = _scorer.score(items)
    write_part(records, path, fmt, schema)
    return index, len(records), bad
