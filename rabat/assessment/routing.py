"""Two models behind one Analyzer: each text goes to the model for its language.

The English model is the better one on English, the multilingual one on everything else
(docs/multilingual.md). `RoutedAnalyzer` detects each text's language once and sends it to
`primary` when every language found in it is one of `languages` (or nothing can be told, `und`:
emoji, a URL, one word), otherwise to `other`. A text mixing English with another language goes
to `other`, which was trained on English too. Each result names the model that made it
(`Analysis.model_version`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rabat.assessment.context import Context
from rabat.text.language import UNDETERMINED, Language, detect_batch

if TYPE_CHECKING:
    from rabat.assessment.analysis import Analysis, Analyzer, Predictor

# the roles of a routed pair, as `RoutedAnalyzer.route` names them
PRIMARY, OTHER = "primary", "other"


def language_codes(codes: Collection[str]) -> list[str]:
    """`codes` checked as ISO 639 codes (two or three letters) and lower-cased; at least one."""
    bad = [c for c in codes if not (c.isascii() and c.isalpha() and 2 <= len(c) <= 3)]
    if bad or not codes:
        raise ValueError(
            f"expected ISO 639 language codes such as en or en,fr; found {bad or 'none'}"
        )
    return [c.lower() for c in codes]


class RoutedAnalyzer:
    """`primary` for texts in `languages`, `other` for the rest; used like an Analyzer."""

    def __init__(self, primary: Analyzer, other: Analyzer, languages: Collection[str]) -> None:
        if not languages:
            raise ValueError("routing needs at least one language for the primary model, e.g. en")
        if list(primary.classifier.meta.labels) != list(other.classifier.meta.labels):
            raise ValueError(
                f"the two models must share their labels to be routed between: the primary has "
                f"{list(primary.classifier.meta.labels)}, the other "
                f"{list(other.classifier.meta.labels)}"
            )
        self.primary, self.other, self.languages = primary, other, frozenset(languages)

    @property
    def classifier(self) -> Predictor:
        """The primary model's (its labels and identity describe the service)."""
        return self.primary.classifier

    @property
    def target_bar(self) -> float:
        return self.primary.target_bar

    @property
    def attributes_calibrated(self) -> bool:
        return self.primary.attributes_calibrated and self.other.attributes_calibrated

    def route(self, language: Language) -> str:
        """`primary` or `other`, for a text of this language."""
        if language.code == UNDETERMINED:
            return "primary"
        found = set(language.found) | {language.code}
        return "primary" if found <= self.languages else "other"

    def analyze(
        self,
        texts: Sequence[str],
        contexts: Sequence[Context | None],
        explain: Sequence[bool] | None = None,
        languages: Sequence[Language] | None = None,
    ) -> list[Analysis]:
        """As `Analyzer.analyze`, each text by its route's model, results in input order."""
        if len(texts) != len(contexts):
            raise ValueError(f"got {len(texts)} texts but {len(contexts)} contexts: pass one each")
        flags = [True] * len(texts) if explain is None else list(explain)
        found = detect_batch(texts) if languages is None else list(languages)
        results: list[Analysis | None] = [None] * len(texts)
        for name, analyzer in (("primary", self.primary), ("other", self.other)):
            picked = [i for i, language in enumerate(found) if self.route(language) == name]
            if not picked:
                continue
            analyses = analyzer.analyze(
                [texts[i] for i in picked],
                [contexts[i] for i in picked],
                [flags[i] for i in picked],
                languages=[found[i] for i in picked],
            )
            version = analyzer.classifier.version
            for i, analysis in zip(picked, analyses, strict=True):
                results[i] = dataclasses.replace(analysis, model_version=version)
        return [result for result in results if result is not None]


def load_routed(
    load_one: Callable[[Path, str], Analyzer],
    model_dir: Path,
    route_model_dir: Path | None,
    languages: Collection[str],
) -> Analyzer | RoutedAnalyzer:
    """`load_one(model_dir, "primary")`, or with `route_model_dir` that and
    `load_one(route_model_dir, "other")` routed by language (below); a
    ValueError when the two cannot be routed between."""
    primary = load_one(model_dir, PRIMARY)
    if route_model_dir is None:
        return primary
    return RoutedAnalyzer(primary, load_one(route_model_dir, OTHER), languages)
