"""The threshold decision: the six factors weighed together, in the order the Rabat Plan reads.

1. No advocacy of hatred in the text (content and form below `no_advocacy_bar`): not met, from
   the text alone, whatever the circumstances. Never for a text the model labels hateful: the
   operating point (rabat.model.operating_point) has said it is, and a shortcut that overrules
   it would turn a call to exterminate into a plain "not met".
2. A factor stated by the context below its floor holds the text below the threshold, whatever
   else is high or missing: a journalist reporting (intent), a private message to a few people
   (extent). A score read from the text alone is an estimate, not a known circumstance: it
   weighs in step 3 but never holds a text below by its floor (without context, half of a set of
   explicit threats came out "not met" on a text-only intent estimate).
3. Otherwise the factors' weighted mean is the combined score. With every factor known, it is
   met at or above the bar. With some missing, the decision is bounded: missing factors at 0
   and at 1. "Met" needs the lower bound at the bar; "not met" needs the upper bound below it;
   between the two it is undetermined, naming what is missing. Severe content with unknown
   circumstances is therefore never a "no".

Every decision carries one plain sentence that names the factors that drove it and the
evidence words, so a reviewer can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rabat.assessment.policy import FACTORS, Policy
from rabat.labels import Label
from rabat.model.prediction import Prediction
from rabat.text.markers import Span

NOT_ASSESSED = "not_assessed"
Source = Literal["text", "context", "text+context"]

UN_RESPONSE: dict[str, str] = {
    "none": "no action",
    "offensive": "lawful expression: counter-speech, user controls",
    "hate_speech": "may be restricted if provided by law, legitimate, necessary and proportionate "
    "(ICCPR art. 19(3))",
    "incitement": "must be prohibited when the Rabat threshold is met (ICCPR art. 20(2))",
}
NAMES: dict[str, str] = {
    "context": "context",
    "speaker": "speaker",
    "intent": "intent",
    "content_form": "content and form",
    "extent": "extent",
    "likelihood_imminence": "likelihood",
}


@dataclass(frozen=True)
class Factor:
    name: str
    level: str  # low, medium, high or not_assessed
    score: float | None
    source: Source
    evidence: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Assessment:
    factors: dict[str, Factor]
    threshold_met: bool | None
    combined_score: float | None
    drivers: list[str]
    missing_factors: list[str]
    reason: str
    severity: dict[str, object]
    summary: str = ""
    window: tuple[int, int] | None = None
    bounds: tuple[float, float] | None = None


def decision_name(met: bool | None) -> str:
    """The decision as the API and the scorer write it: met, not_met or undetermined."""
    return "undetermined" if met is None else ("met" if met else "not_met")


@dataclass(frozen=True)
class Verdict:
    """What one step of the decision found: met or not (None: undetermined), and why."""

    met: bool | None
    drivers: list[str]
    reason: str
    combined: float | None = None
    bounds: tuple[float, float] | None = None


class Decider:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def decide(self, s: Prediction, factors: dict[str, Factor]) -> Assessment:
        """The steps of the module docstring, in order: the first that settles it decides."""
        severity = _severity(s)
        missing = [name for name in FACTORS if factors[name].score is None]
        verdict = (
            (None if Label(s.label).is_hateful else self._no_advocacy(factors))
            or self._below_floor(factors)
            or self._weighed(factors, missing)
        )
        return Assessment(
            factors,
            verdict.met,
            verdict.combined,
            verdict.drivers,
            missing,
            verdict.reason,
            severity,
            _sentence(verdict.met, verdict.drivers, factors, missing, s.window),
            s.window,
            verdict.bounds,
        )

    def _no_advocacy(self, factors: dict[str, Factor]) -> Verdict | None:
        """Step 1: no advocacy of hatred in the text, whatever the circumstances."""
        bar, content = self.policy.decision.no_advocacy_bar, factors["content_form"]
        if (content.score or 0.0) >= bar:
            return None
        return Verdict(
            False,
            ["content_form"],
            f"not met: no advocacy of hatred in the text (content and form "
            f"{content.score:.2f} < {bar})",
        )

    def _below_floor(self, factors: dict[str, Factor]) -> Verdict | None:
        """Step 2: a factor the context states below its floor holds the text below the
        threshold (a text-only estimate does not)."""
        floors = self.policy.decision.floors
        short = [
            n
            for n, floor in floors.items()
            if factors[n].score is not None
            and factors[n].source != "text"
            and (factors[n].score or 0.0) < floor
        ]
        if not short:
            return None
        return Verdict(
            False,
            short,
            "not met: below floor: "
            + ", ".join(f"{n} {factors[n].score:.2f} < {floors[n]}" for n in short),
        )

    def _weighed(self, factors: dict[str, Factor], missing: list[str]) -> Verdict:
        """Step 3: the weighted mean against the bar, bounded when factors are missing."""
        bar = self.policy.decision.bar
        low, high = self._bounds(factors)
        known = [n for n in FACTORS if factors[n].score is not None]
        bounds = (round(low, 4), round(high, 4))
        if not missing:
            met = low >= bar
            reason = f"combined score {low:.2f} {'>=' if met else '<'} bar {bar}"
            return Verdict(met, self._drivers(factors, known, met), reason, round(low, 4))
        if high < bar:
            reason = f"not met whatever the missing factors show: at most {high:.2f} < bar {bar}"
            return Verdict(False, self._drivers(factors, known, False), reason, None, bounds)
        if low >= bar:
            reason = f"met whatever the missing factors show: at least {low:.2f} >= bar {bar}"
            return Verdict(True, self._drivers(factors, known, True), reason, None, bounds)
        return Verdict(
            None,
            ["content_form"],
            f"undetermined: the combined score lies between {low:.2f} and {high:.2f} (bar "
            f"{bar}) until these are assessed: {', '.join(missing)}",
            None,
            bounds,
        )

    def _bounds(self, factors: dict[str, Factor]) -> tuple[float, float]:
        """The weighted mean with every missing factor at 0, and at 1."""
        weights = self.policy.decision.weights
        total = sum(weights.values())
        low = sum(weights[n] * (factors[n].score or 0.0) for n in FACTORS) / total
        high = (
            sum(
                weights[n] * (1.0 if factors[n].score is None else (factors[n].score or 0.0))
                for n in FACTORS
            )
            / total
        )
        return low, high

    def _drivers(self, factors: dict[str, Factor], known: list[str], met: bool) -> list[str]:
        """Met: the three largest contributions. Not met: the three largest shortfalls."""
        w = self.policy.decision.weights

        def weight(n: str) -> float:
            score = factors[n].score or 0.0
            return w[n] * (score if met else 1.0 - score)

        return sorted(known, key=weight, reverse=True)[:3]


def _severity(s: Prediction) -> dict[str, object]:
    """The label's level on the UN Strategy's scale and the response it calls for."""
    return {
        "label": s.label,
        "level": Label(s.label).severity,
        "response": UN_RESPONSE[s.label],
    }


def _sentence(
    met: bool | None,
    drivers: list[str],
    factors: dict[str, Factor],
    missing: list[str],
    window: tuple[int, int] | None,
) -> str:
    """One plain sentence a reviewer can check: the decision, its factors, the evidence."""
    head = {True: "Met", False: "Not met", None: "Undetermined"}[met]
    parts = [_phrase(factors[n]) for n in drivers]
    if met is None:
        asked = sorted({field for n in missing for field in factors[n].missing})
        text = f"{head}: {parts[0]}, but {_join([NAMES[n] for n in missing])} not known"
        text += f" (send {_join(asked)} in the context)"
    elif met is False and drivers == ["content_form"]:
        text = f"{head}: no advocacy of hatred in the text ({parts[0]})"
    else:
        text = f"{head}: {'driven by' if met else 'held below by'} {_join(parts)}"
    words = _top_words(factors["content_form"].spans)
    if words:
        text += "; evidence: " + ", ".join(repr(w) for w in words)
    if window is not None:
        text += f"; read in the most severe window, characters {window[0]}-{window[1]}"
    return text + "."


def _top_words(spans: list[Span], k: int = 3) -> list[str]:
    """The k highest-weighted distinct words (markers weigh 1, evidence its score)."""
    seen: dict[str, str] = {}
    for span in sorted(spans, key=lambda s: s.weight, reverse=True):
        word = span.text.strip(" .,;:!?\"'()[]")
        if word and word.lower() not in seen:
            seen[word.lower()] = span.text
    return list(seen.values())[:k]


def _phrase(f: Factor) -> str:
    notes = "; ".join(f.evidence[:2])
    return f"{NAMES[f.name]} {f.level}" + (f" ({notes})" if notes else "")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
