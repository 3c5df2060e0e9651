"""Routing between two models by language: which text goes where, in order, each result naming
its model. The two analyzers are stand-ins (this is the routing logic); the language detector is
the real one."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from rabat.assessment.routing import RoutedAnalyzer, language_codes
from rabat.text.language import UNDETERMINED, Language

ENGLISH = "The weather is lovely today and we are going to the park."
FRENCH = "Nous sommes allés au marché ce matin avec les enfants."
GERMAN = "Wir sind heute Morgen mit den Kindern auf den Markt gegangen."


@dataclass(frozen=True)
class Seen:
    text: str
    explain: bool
    language: str
    model_version: str | None = None


@dataclass
class Recording:
    """An analyzer stand-in that records its calls and echoes each text."""

    version: str
    labels: tuple[str, ...] = ("none", "offensive", "hate_speech", "incitement")
    calls: list[list[str]] = field(default_factory=list)

    @property
    def classifier(self) -> Any:
        return SimpleNamespace(version=self.version, meta=SimpleNamespace(labels=self.labels))

    target_bar = 0.5

    def analyze(self, texts, contexts, explain, languages) -> list[Seen]:  # type: ignore[no-untyped-def]
        self.calls.append(list(texts))
        return [Seen(t, e, lang.code) for t, e, lang in zip(texts, explain, languages, strict=True)]


def test_each_text_goes_to_the_model_for_its_language_and_keeps_its_place() -> None:
    english, multilingual = Recording("en-1"), Recording("ml-1")
    routed = RoutedAnalyzer(english, multilingual, ["en"])  # type: ignore[arg-type]
    texts = [FRENCH, ENGLISH, "👍👍", GERMAN]
    out = routed.analyze(texts, [None] * 4, [True, False, True, True])
    assert [r.text for r in out] == texts
    assert [r.model_version for r in out] == ["ml-1", "en-1", "en-1", "ml-1"]
    assert [r.language for r in out] == ["fr", "en", UNDETERMINED, "de"]
    assert [r.explain for r in out] == [True, False, True, True]
    assert english.calls == [[ENGLISH, "👍👍"]] and multilingual.calls == [[FRENCH, GERMAN]]


def test_a_text_mixing_english_with_another_language_goes_to_the_other_model() -> None:
    routed = RoutedAnalyzer(Recording("en"), Recording("ml"), ["en"])  # type: ignore[arg-type]
    assert routed.route(Language("en", 0.9, ("en", "fr"))) == "other"
    assert routed.route(Language("en", 0.9, ("en",))) == "primary"
    assert routed.route(Language(UNDETERMINED, 0.0)) == "primary"
    both = RoutedAnalyzer(Recording("en"), Recording("ml"), ["en", "fr"])  # type: ignore[arg-type]
    assert both.route(Language("en", 0.9, ("en", "fr"))) == "primary"


def test_one_model_only_is_called_when_every_text_is_its_language() -> None:
    english, multilingual = Recording("en"), Recording("ml")
    RoutedAnalyzer(english, multilingual, ["en"]).analyze([ENGLISH], [None])  # type: ignore[arg-type]
    assert english.calls == [[ENGLISH]] and multilingual.calls == []


def test_models_with_other_labels_are_refused() -> None:
    with pytest.raises(ValueError, match=r"must share their labels.*the other \['none'\]"):
        RoutedAnalyzer(Recording("en"), Recording("ml", labels=("none",)), ["en"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one language"):
        RoutedAnalyzer(Recording("en"), Recording("ml"), [])  # type: ignore[arg-type]


def test_mismatched_contexts_are_refused() -> None:
    routed = RoutedAnalyzer(Recording("en"), Recording("ml"), ["en"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="got 2 texts but 1 contexts"):
        routed.analyze([ENGLISH, FRENCH], [None])


def test_language_codes_are_checked_and_lower_cased() -> None:
    assert language_codes(["EN", "fr", "fil"]) == ["en", "fr", "fil"]
    for bad in (["en", "f1"], ["english"], ["e"], []):
        with pytest.raises(ValueError, match="expected ISO 639 language codes such as en"):
            language_codes(bad)
