"""The Rabat Plan of Action's six-part threshold test, applied to one prediction.

Text-borne factors (content and form, intent, part of likelihood) come from the model's label
probabilities, its signals and evidence spans; context, speaker and extent come from the
caller's `Context`. A factor without inputs is `not_assessed`; the decision is then `None`
("undetermined") and names what is missing, unless the text is plainly not incitement.
How inputs become scores is policy (configs/rabat.yaml), not statistics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rabat.context import Context, Reach, Setting, Speaker
from rabat.labels import HATEFUL, Label
from rabat.markers import MarkerFinder, Span
from rabat.policy import FACTORS, Policy
from rabat.prediction import Prediction

NOT_ASSESSED = "not_assessed"
Source = Literal["text", "context", "text+context"]

UN_RESPONSE: dict[str, str] = {
    "none": "no action",
    "offensive": "lawful expression: counter-speech, user controls",
    "hate_speech": "may be restricted if provided by law, legitimate, necessary and proportionate "
    "(ICCPR art. 19(3))",
    "incitement": "must be prohibited when the Rabat threshold is met (ICCPR art. 20(2))",
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


class Assessor:
    """Applies a policy; build once (it compiles the marker patterns), call per text."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.calls = MarkerFinder("call_to_action", policy.markers.call_to_action)
        self.times = MarkerFinder("time_marker", policy.markers.time)

    def assess(
        self,
        text: str,
        signals: Prediction,
        context: Context | None,
        evidence: Sequence[Span] = (),
    ) -> Assessment:
        context = context or Context()
        calls, times = self.calls.find(text), self.times.find(text)
        setting = self.context_factor(context.setting)
        extent = self.extent_factor(context.reach)
        factors = {
            "context": setting,
            "speaker": self.speaker_factor(context.speaker),
            "intent": self.intent_factor(signals, calls),
            "content_form": self.content_factor(signals, list(evidence)),
            "extent": extent,
            "likelihood_imminence": self.likelihood_factor(signals, times, setting, extent),
        }
        return self.decide(signals, factors)

    # -- text-borne factors -------------------------------------------------------------

    def content_factor(self, s: Prediction, evidence: list[Span]) -> Factor:
        p = self.policy.content_form
        severity = sum(p.label_severity[label] * prob for label, prob in s.scores.items())
        hateful = _hateful(s)
        score = _clip(
            severity
            + p.dehumanisation_weight * s.dehumanisation * hateful
            + p.violence_weight * s.call_to_violence * hateful
        )
        notes = [f"label {s.label} (p={s.scores[s.label]:.2f}); p(hateful)={hateful:.2f}"]
        if s.dehumanisation >= 0.5:
            notes.append(f"dehumanising language (p={s.dehumanisation:.2f})")
        if s.call_to_violence >= 0.5:
            notes.append(f"call to violence (p={s.call_to_violence:.2f})")
        if evidence:
            cited = ", ".join(f"{span.text!r} ({span.weight:.2f})" for span in evidence[:5])
            notes.append(f"evidence, the words the model marks (score): {cited}")
        return self._factor("content_form", score, "text", notes, evidence)

    def intent_factor(self, s: Prediction, calls: list[Span]) -> Factor:
        p = self.policy.intent
        targets = {g: v for g, v in s.target_groups.items() if v >= p.target_bar}
        strongest = max(s.target_groups.values(), default=0.0)
        score = _clip(
            p.incitement_weight * s.scores[Label.INCITEMENT.value]
            + p.call_to_action_weight * (1.0 if calls else 0.0) * _hateful(s)
            + p.target_weight * strongest
        )
        notes = [f"p(incitement)={s.scores[Label.INCITEMENT.value]:.2f}"]
        if targets:
            notes.append(
                "target group: " + ", ".join(f"{g} ({v:.2f})" for g, v in sorted(targets.items()))
            )
        if calls:
            notes.append(f"call to action addressed to an audience ({len(calls)} found)")
        return self._factor("intent", score, "text", notes, calls)

    # -- context-borne factors ----------------------------------------------------------

    def speaker_factor(self, speaker: Speaker | None) -> Factor:
        p = self.policy.speaker
        parts: list[tuple[float, str]] = []
        if speaker is not None and speaker.role is not None:
            parts.append((p.roles[speaker.role.value], f"role {speaker.role.value}"))
        if speaker is not None and speaker.influence is not None:
            parts.append(
                (p.influence[speaker.influence.value], f"influence {speaker.influence.value}")
            )
        if speaker is not None and speaker.followers is not None:
            parts.append(
                (
                    _log_share(speaker.followers, p.followers_for_max),
                    f"{speaker.followers} followers",
                )
            )
        return self._from_parts(
            "speaker", parts, ["speaker.role", "speaker.influence", "speaker.followers"]
        )

    def extent_factor(self, reach: Reach | None) -> Factor:
        p = self.policy.extent
        parts: list[tuple[float, str]] = []
        if reach is not None and reach.medium is not None:
            parts.append((p.media[reach.medium.value], f"medium {reach.medium.value}"))
        if reach is not None and reach.audience_size is not None:
            parts.append(
                (
                    _log_share(reach.audience_size, p.audience_for_max),
                    f"audience {reach.audience_size}",
                )
            )
        if reach is not None and reach.repetition is not None:
            parts.append(
                (
                    _log_share(reach.repetition, p.repetition_for_max),
                    f"repeated {reach.repetition} times",
                )
            )
        factor = self._from_parts(
            "extent", parts, ["reach.medium", "reach.audience_size", "reach.repetition"]
        )
        if reach is not None and reach.public is not None and factor.score is not None:
            bonus = p.public_bonus if reach.public else -p.public_bonus
            note = "public" if reach.public else "not public"
            return self._factor(
                "extent", _clip(factor.score + bonus), "context", [*factor.evidence, note]
            )
        if reach is not None and reach.public is not None:
            score = 0.5 + (p.public_bonus if reach.public else -p.public_bonus)
            return self._factor(
                "extent", score, "context", ["public" if reach.public else "not public"]
            )
        return factor

    def context_factor(self, setting: Setting | None) -> Factor:
        p = self.policy.context
        if setting is None:
            return _not_assessed("context", "context", ["setting"])
        flags = {name: getattr(setting, name) for name in p.flags}
        known = {name: value for name, value in flags.items() if value is not None}
        if not known and setting.risk_level is None:
            return _not_assessed(
                "context", "context", [f"setting.{n}" for n in [*p.flags, "risk_level"]]
            )
        present = [name for name, value in known.items() if value]
        score = _clip(sum(p.flags[name] for name in present))
        notes = [name.replace("_", " ") for name in present] or ["no risk factor present"]
        if setting.risk_level is not None:
            score = max(score, p.risk_level[setting.risk_level.value])
            notes.append(f"risk level {setting.risk_level.value}")
        return self._factor("context", score, "context", notes)

    # -- both ---------------------------------------------------------------------------

    def likelihood_factor(
        self, s: Prediction, times: list[Span], setting: Factor, extent: Factor
    ) -> Factor:
        """Needs the context or the extent: text alone does not say what would follow."""
        p = self.policy.likelihood_imminence
        if setting.score is None and extent.score is None:
            return _not_assessed("likelihood_imminence", "text+context", ["setting", "reach"])
        weighted = [
            (p.violence_weight, s.call_to_violence * _hateful(s)),
            (p.imminence_weight, (1.0 if times else 0.0) * _hateful(s)),
        ]
        weighted += [
            (w, f.score)
            for w, f in ((p.context_weight, setting), (p.extent_weight, extent))
            if f.score is not None
        ]
        total = sum(w for w, _ in weighted)
        score = sum(w * v for w, v in weighted) / total if total else 0.0
        notes = [f"p(call to violence)={s.call_to_violence:.2f}"]
        if times:
            notes.append("time markers: " + ", ".join(sorted({t.text.lower() for t in times})))
        missing = [n for n, f in (("setting", setting), ("reach", extent)) if f.score is None]
        return Factor(
            "likelihood_imminence",
            self.policy.levels.of(score).value,
            round(score, 4),
            "text+context",
            notes,
            times,
            missing,
        )

    # -- the decision -------------------------------------------------------------------

    def decide(self, s: Prediction, factors: dict[str, Factor]) -> Assessment:
        d = self.policy.decision
        severity = {
            "label": s.label,
            "level": Label(s.label).severity,
            "response": UN_RESPONSE[s.label],
        }
        missing = [name for name in FACTORS if factors[name].score is None]
        p_incitement = s.scores[Label.INCITEMENT.value]
        if s.label != Label.INCITEMENT.value and p_incitement < d.min_incitement_probability:
            return Assessment(
                factors,
                False,
                None,
                ["content_form", "intent"],
                missing,
                f"not incitement: p(incitement)={p_incitement:.2f} is below "
                f"{d.min_incitement_probability}",
                severity,
            )
        if missing:
            return Assessment(
                factors,
                None,
                None,
                [],
                missing,
                "undetermined: the threshold test weighs all six factors; "
                f"not assessed: {', '.join(missing)}",
                severity,
            )
        contributions = {n: d.weights[n] * (factors[n].score or 0.0) for n in FACTORS}
        combined = sum(contributions.values()) / sum(d.weights.values())
        short = [n for n, floor in d.floors.items() if (factors[n].score or 0.0) < floor]
        met = combined >= d.bar and not short
        drivers = (
            short
            if short and combined >= d.bar
            else sorted(contributions, key=contributions.__getitem__, reverse=True)[:3]
        )
        reason = (
            f"combined score {combined:.2f} {'>=' if combined >= d.bar else '<'} bar {d.bar}"
            + (f"; below floor: {', '.join(short)}" if short else "")
        )
        return Assessment(factors, met, round(combined, 4), drivers, [], reason, severity)

    def _factor(
        self, name: str, score: float, source: Source, notes: list[str], spans: Sequence[Span] = ()
    ) -> Factor:
        return Factor(
            name, self.policy.levels.of(score).value, round(score, 4), source, notes, list(spans)
        )

    def _from_parts(self, name: str, parts: list[tuple[float, str]], inputs: list[str]) -> Factor:
        if not parts:
            return _not_assessed(name, "context", inputs)
        return self._factor(name, max(v for v, _ in parts), "context", [note for _, note in parts])


def _not_assessed(name: str, source: Source, missing: list[str]) -> Factor:
    return Factor(name, NOT_ASSESSED, None, source, [], [], missing)


def _hateful(s: Prediction) -> float:
    return sum(s.scores[label] for label in HATEFUL)


def _log_share(value: int, for_max: int) -> float:
    """0 for 1 or less, 1 at `for_max`, logarithmic between: reach grows by orders of magnitude."""
    return _clip(math.log10(max(value, 1)) / math.log10(max(for_max, 10)))


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
