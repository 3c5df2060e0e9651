"""The Rabat Plan of Action's six-part threshold test, applied to one prediction: the factors.

Text-borne factors (content and form, intent, part of likelihood) come from the model's label
probabilities, its signals and evidence spans, and from marker patterns; context, speaker (and
their purpose) and extent come from the caller's `Context`. A factor without inputs is
`not_assessed`, never guessed. `rabat.assessment.decision` weighs the six into the decision.
How inputs become scores is policy (configs/rabat.yaml), not statistics.

For a text read in several windows, the text-borne factors read the deciding (most severe)
window: its label, its evidence, and the markers inside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rabat.assessment.context import RISK_FACTORS, Context, Reach, Setting, Speaker
from rabat.assessment.decision import NOT_ASSESSED, UN_RESPONSE, Assessment, Decider, Factor, Source
from rabat.assessment.policy import Policy
from rabat.labels import HATEFUL, Label
from rabat.model.prediction import Prediction
from rabat.text.markers import MarkerFinder, Span

__all__ = ["NOT_ASSESSED", "UN_RESPONSE", "Assessment", "Assessor", "Factor"]


class Assessor:
    """Applies a policy; build once (it compiles the marker patterns), call per text."""

    def __init__(
        self, policy: Policy, target_bars: Mapping[str, float | None] | None = None
    ) -> None:
        self.policy = policy
        # the model's own bar per target group (rabat.model.signal_policy); None: never named
        self.target_bars = dict(target_bars or {})
        markers = policy.markers
        self.calls = MarkerFinder("call_to_action", markers.call_to_action)
        self.times = MarkerFinder("time_marker", markers.time)
        self.violence = MarkerFinder("violence", markers.violence)
        self.distancing = MarkerFinder("distancing", markers.distancing)
        self.decider = Decider(policy)

    def assess(
        self,
        text: str,
        signals: Prediction,
        context: Context | None,
        evidence: Sequence[Span] = (),
    ) -> Assessment:
        context = context or Context()
        start, end = signals.window or (0, len(text))
        calls, times, violence, distancing = (
            [m for m in finder.find(text) if start <= m.start and m.end <= end]
            for finder in (self.calls, self.times, self.violence, self.distancing)
        )
        setting = self.context_factor(context.setting)
        extent = self.extent_factor(context.reach)
        speaker = self.speaker_factor(context.speaker)
        content = self.content_factor(signals, list(evidence), violence)
        factors = {
            "context": setting,
            "speaker": speaker,
            "intent": self.intent_factor(signals, [*calls, *violence], distancing, context.speaker),
            "content_form": content,
            "extent": extent,
            "likelihood_imminence": self.likelihood_factor(
                signals, content, times, setting, extent, speaker
            ),
        }
        return self.decider.decide(signals, factors)

    # -- text-borne factors -------------------------------------------------------------

    def content_factor(
        self, s: Prediction, evidence: list[Span], violence: Sequence[Span] = ()
    ) -> Factor:
        """Advocacy of hatred in what was said and how: the label's severity, dehumanisation,
        a call to violence, and words of violence aimed at a group (each may carry it alone:
        quoted propaganda often reads as `none` to a model trained on posts)."""
        p = self.policy.content_form
        # the expected severity, and at least the severity of the label the operating point chose
        # (its hateful mass may be split between hate_speech and incitement)
        severity = max(
            sum(p.label_severity[label] * prob for label, prob in s.scores.items()),
            p.label_severity[s.label],
        )
        aimed = max(_hateful(s), max(s.target_groups.values(), default=0.0))
        score = _clip(
            severity
            + p.dehumanisation_weight * s.dehumanisation
            + p.violence_weight * s.call_to_violence
            + p.violence_words_weight * (1.0 if violence else 0.0) * aimed
        )
        notes = [f"label {s.label} (p={s.scores[s.label]:.2f}); p(hateful)={_hateful(s):.2f}"]
        if s.dehumanisation >= 0.5:
            notes.append(f"dehumanising language (p={s.dehumanisation:.2f})")
        if s.call_to_violence >= 0.5:
            notes.append(f"call to violence (p={s.call_to_violence:.2f})")
        if violence:
            found = ", ".join(sorted({m.text.lower() for m in violence})[:3])
            notes.append(f"words of violence: {found}")
        if evidence:
            cited = ", ".join(f"{span.text!r} ({span.weight:.2f})" for span in evidence[:5])
            notes.append(f"evidence, the words the model marks (score): {cited}")
        return self._factor("content_form", score, "text", notes, [*evidence, *violence])

    def intent_factor(
        self, s: Prediction, calls: list[Span], distancing: list[Span], speaker: Speaker | None
    ) -> Factor:
        """Advocacy, not mere circulation. From the text: p(incitement), p(hateful), a call to
        action or to violence aimed at a group (hateful or targeted), a target group, less when
        the text distances itself (quotes, reports or condemns). A stated purpose weighs
        `purpose_weight` against the text."""
        p = self.policy.intent
        targets = {
            g: v
            for g, v in s.target_groups.items()
            if _reaches(v, self.target_bars.get(g, p.target_bar))
        }
        strongest = max(s.target_groups.values(), default=0.0)
        hateful = _hateful(s)
        text_score = _clip(
            p.incitement_weight * s.scores[Label.INCITEMENT.value]
            + p.hateful_weight * hateful
            + p.call_to_action_weight * (1.0 if calls else 0.0) * max(hateful, strongest)
            + p.target_weight * strongest * hateful
        )
        if distancing:
            text_score *= 1.0 - p.distancing_discount
        notes = [f"p(incitement)={s.scores[Label.INCITEMENT.value]:.2f}"]
        if targets:
            notes.append(
                "target group: " + ", ".join(f"{g} ({v:.2f})" for g, v in sorted(targets.items()))
            )
        if calls:
            notes.append(f"call to action or to violence ({len(calls)} found)")
        if distancing:
            found = ", ".join(sorted({m.text.lower() for m in distancing})[:3])
            notes.append(f"the text distances itself (quotes, reports or condemns): {found}")
        purpose = speaker.purpose if speaker is not None else None
        if purpose is None:
            return self._factor("intent", text_score, "text", notes, [*calls, *distancing])
        score = p.purpose_weight * p.purpose[purpose.value] + (1 - p.purpose_weight) * text_score
        notes.insert(0, f"purpose {purpose.value}")
        return self._factor("intent", score, "text+context", notes, [*calls, *distancing])

    # -- context-borne factors ----------------------------------------------------------

    def speaker_factor(self, speaker: Speaker | None) -> Factor:
        """Standing and influence with the audience: a stated influence is that standing (a
        fringe party leader has little); without it, the role and the followers stand in."""
        p = self.policy.speaker
        inputs = ["speaker.role", "speaker.influence", "speaker.followers"]
        if speaker is None:
            return _not_assessed("speaker", "context", inputs)
        notes = []
        if speaker.role is not None:
            notes.append(speaker.role.value.replace("_", " "))
        if speaker.followers is not None:
            notes.append(f"{speaker.followers:,} followers")
        if speaker.influence is not None:
            score = p.influence[speaker.influence.value]
            return self._factor(
                "speaker", score, "context", [*notes, f"{speaker.influence.value} influence"]
            )
        parts = []
        if speaker.role is not None:
            parts.append(p.roles[speaker.role.value])
        if speaker.followers is not None:
            parts.append(_log_share(speaker.followers, p.followers_for_max))
        if not parts:
            return _not_assessed("speaker", "context", inputs)
        return self._factor("speaker", max(parts), "context", notes)

    def extent_factor(self, reach: Reach | None) -> Factor:
        """Reach and public nature: the mean of the medium and the audience size known (a
        rally of thirty people is not a mass audience), raised to the repetition's share when
        that is higher, then public or not."""
        p = self.policy.extent
        parts: list[tuple[float, str]] = []
        if reach is not None and reach.medium is not None:
            parts.append((p.media[reach.medium.value], reach.medium.value.replace("_", " ")))
        if reach is not None and reach.audience_size is not None:
            parts.append(
                (
                    _log_share(reach.audience_size, p.audience_for_max),
                    f"audience {reach.audience_size:,}",
                )
            )
        notes = [note for _, note in parts]
        base = sum(v for v, _ in parts) / len(parts) if parts else None
        if reach is not None and reach.repetition is not None:
            repeated = _log_share(reach.repetition, p.repetition_for_max)
            base = repeated if base is None else max(base, repeated)
            notes.append(f"repeated {reach.repetition} times")
        if reach is not None and reach.public is not None:
            bonus = p.public_bonus if reach.public else -p.public_bonus
            notes.append("public" if reach.public else "not public")
            base = _clip((0.5 if base is None else base) + bonus)
        if base is None:
            inputs = ["reach.medium", "reach.audience_size", "reach.repetition", "reach.public"]
            return _not_assessed("extent", "context", inputs)
        return self._factor("extent", base, "context", notes)

    def context_factor(self, setting: Setting | None) -> Factor:
        """The risk factors present, summed; an analyst's risk level sets a minimum."""
        p = self.policy.context
        inputs = [f"setting.{n}" for n in [*RISK_FACTORS, "risk_level"]]
        if setting is None:
            return _not_assessed("context", "context", inputs)
        known = {n: getattr(setting, n) for n in RISK_FACTORS if getattr(setting, n) is not None}
        if not known and setting.risk_level is None:
            return _not_assessed("context", "context", inputs)
        present = [name for name, value in known.items() if value]
        score = _clip(sum(p.flags[name] for name in present))
        notes = [name.replace("_", " ") for name in present] or ["no risk factor present"]
        if setting.risk_level is not None:
            score = max(score, p.risk_level[setting.risk_level.value])
            notes.append(f"risk level {setting.risk_level.value}")
        return self._factor("context", score, "context", notes)

    # -- both ---------------------------------------------------------------------------

    def likelihood_factor(
        self,
        s: Prediction,
        content: Factor,
        times: list[Span],
        setting: Factor,
        extent: Factor,
        speaker: Factor,
    ) -> Factor:
        """A reasonable probability that the speech would bring about action against the group:
        needs the setting and the reach (text alone does not say what would follow); the
        speaker's standing counts when known."""
        p = self.policy.likelihood_imminence
        missing = [n for n, f in (("setting", setting), ("reach", extent)) if f.score is None]
        if missing:
            return _not_assessed("likelihood_imminence", "text+context", missing)
        weighted = [
            (p.content_weight, content.score or 0.0),
            (p.violence_weight, s.call_to_violence),
            (p.imminence_weight, 1.0 if times else 0.0),
            (p.context_weight, setting.score or 0.0),
            (p.extent_weight, extent.score or 0.0),
        ]
        if speaker.score is not None:
            weighted.append((p.speaker_weight, speaker.score))
        total = sum(w for w, _ in weighted)
        score = sum(w * v for w, v in weighted) / total if total else 0.0
        notes = [
            f"content {content.score or 0.0:.2f}, context {setting.score or 0.0:.2f}, "
            f"extent {extent.score or 0.0:.2f}, p(call to violence) {s.call_to_violence:.2f}"
        ]
        if times:
            notes.append("time markers: " + ", ".join(sorted({t.text.lower() for t in times})))
        return self._factor("likelihood_imminence", score, "text+context", notes, times)

    def _factor(
        self, name: str, score: float, source: Source, notes: list[str], spans: Sequence[Span] = ()
    ) -> Factor:
        return Factor(
            name, self.policy.levels.of(score).value, round(score, 4), source, notes, list(spans)
        )


def _not_assessed(name: str, source: Source, missing: list[str]) -> Factor:
    return Factor(name, NOT_ASSESSED, None, source, [], [], missing)


def _reaches(value: float, bar: float | None) -> bool:
    """Whether a target group's probability reaches its bar (None: a bar it never reaches)."""
    return bar is not None and value >= bar


def _hateful(s: Prediction) -> float:
    return sum(s.scores[label] for label in HATEFUL)


def _log_share(value: int, for_max: int) -> float:
    """0 for 1 or less, 1 at `for_max`, logarithmic between: reach grows by orders of magnitude."""
    return _clip(math.log10(max(value, 1)) / math.log10(max(for_max, 10)))


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
