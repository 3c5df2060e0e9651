"""One call from texts (and their optional contexts) to labels, signals, evidence and the Rabat
assessment: what the service returns per text, without any web framework.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from rabat.assessment.assessor import Assessment, Assessor
from rabat.assessment.context import Context
from rabat.assessment.decision import decision_name
from rabat.assessment.policy import Policy, load_policy
from rabat.attributes.calibration import AttributeScorer
from rabat.model.evidence import EvidencePolicy
from rabat.model.loader import load_classifier
from rabat.model.meta import ModelMeta
from rabat.model.prediction import Prediction
from rabat.model.signal_policy import SignalPolicy, read_signal_policy
from rabat.text.language import UNKNOWN, Language, detect_batch
from rabat.text.markers import Span


@dataclass(frozen=True)
class Analysis:
    text_length: int
    prediction: Prediction
    assessment: Assessment
    evidence: list[Span]
    language: Language = UNKNOWN
    # the model that made it, where two models serve (rabat.assessment.routing); None: the one model
    model_version: str | None = None
    # the calibrated quantities behind the drop-in formats' scores (rabat.attributes)
    attributes: dict[str, float] = field(default_factory=dict)
    # the groups listed as detected, by the model's own bars (rabat.model.signal_policy); None:
    # by the one bar the caller passes to `to_dict`
    targets_detected: tuple[str, ...] | None = None

    def detected(self, target_bar: float) -> list[str]:
        """The target groups detected: by the model's bars, else at `target_bar`."""
        if self.targets_detected is not None:
            return list(self.targets_detected)
        return sorted(g for g, v in self.prediction.target_groups.items() if v >= target_bar)

    def to_dict(self, target_bar: float) -> dict[str, Any]:
        """The JSON shape of one result (see README, "The API")."""
        p, a = self.prediction, self.assessment
        routed = {} if self.model_version is None else {"model_version": self.model_version}
        return {
            "label": p.label,
            "scores": p.scores,
            "signals": {
                "target_groups": p.target_groups,
                "targets_detected": self.detected(target_bar),
                "call_to_violence": p.call_to_violence,
                "dehumanisation": p.dehumanisation,
                "evidence": [span.to_dict() for span in self.evidence],
            },
            "rabat": {
                "threshold_met": a.threshold_met,
                "decision": decision_name(a.threshold_met),
                "combined_score": a.combined_score,
                "drivers": a.drivers,
                "missing_factors": a.missing_factors,
                "reason": a.reason,
                "summary": a.summary,
                "bounds": None if a.bounds is None else {"low": a.bounds[0], "high": a.bounds[1]},
                "window": None if a.window is None else {"start": a.window[0], "end": a.window[1]},
                "severity": a.severity,
                "factors": {
                    name: {
                        "level": f.level,
                        "score": f.score,
                        "source": f.source,
                        "evidence": f.evidence,
                        "spans": [span.to_dict() for span in f.spans],
                        "missing": f.missing,
                    }
                    for name, f in a.factors.items()
                },
            },
            "truncated": p.truncated,
            "windows": p.windows,
            "window": None if p.window is None else {"start": p.window[0], "end": p.window[1]},
            "language": self.language.to_dict(),
            **routed,
        }


class Predictor(Protocol):
    """What the Analyzer needs of a backend (`rabat.model.backend.Backend`), or of a stand-in."""

    meta: ModelMeta
    batch_size: int

    @property
    def version(self) -> str: ...

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Prediction]: ...


class Analyzer:
    """Classifier + evidence + Rabat assessment. Build once; `analyze` is thread-compatible
    when called from one thread at a time (the service's batcher does exactly that).

    Evidence comes from the model's own forward pass (the evidence head), so any backend gives
    it at no extra cost; `evidence=False` leaves the spans out (`rabat.model.evidence`).
    """

    def __init__(
        self,
        classifier: Predictor,
        policy: Policy,
        evidence: bool = True,
        evidence_policy: EvidencePolicy | None = None,
        attributes: AttributeScorer | None = None,
        signal_policy: SignalPolicy | None = None,
    ) -> None:
        self.classifier = classifier
        self.attributes = attributes or AttributeScorer()
        self.policy = policy
        self.evidence = evidence
        # the model's own evidence policies and target bars (signal_policy.json), when it has
        # them; an explicit `evidence_policy` overrules its evidence for every language
        self.signal_policy = signal_policy or SignalPolicy()
        if evidence_policy is not None:
            self.signal_policy = replace(
                self.signal_policy, evidence_other=evidence_policy, evidence={}
            )
        self.assessor = Assessor(policy, self.signal_policy.target_bars)

    @property
    def evidence_policy(self) -> EvidencePolicy:
        """The evidence policy of a text whose language is not told apart (`other`)."""
        return self.signal_policy.evidence_other

    @classmethod
    def load(
        cls, model_dir: str | Path, policy_path: str | Path, backend: str = "torch", **kwargs: Any
    ) -> Analyzer:
        """Load a model directory with a backend (`rabat.model.loader`): `torch`, `onnx` (fp32),
        `onnx-int8` or `auto`; the attribute calibration from its attributes.json and its
        evidence policy and target bars from its signal_policy.json, if any."""
        policy = load_policy(policy_path)
        threads = kwargs.pop("threads", None)
        kwargs.setdefault("attributes", AttributeScorer.load(model_dir))
        kwargs.setdefault("signal_policy", read_signal_policy(model_dir))
        return cls(load_classifier(model_dir, backend, threads=threads), policy, **kwargs)

    @property
    def target_bar(self) -> float:
        return self.policy.intent.target_bar

    @property
    def attributes_calibrated(self) -> bool:
        """Whether the drop-in formats' scores are calibrated (the model has attributes.json)."""
        return self.attributes.calibrated

    def analyze(
        self,
        texts: Sequence[str],
        contexts: Sequence[Context | None],
        explain: Sequence[bool] | None = None,
        languages: Sequence[Language] | None = None,
    ) -> list[Analysis]:
        """Analyse texts in one batch; `contexts` (and `explain`, default all True, and
        `languages`, default detected here) align with `texts`. `explain` False leaves a text's
        evidence spans out."""
        if len(texts) != len(contexts):
            raise ValueError(f"got {len(texts)} texts but {len(contexts)} contexts: pass one each")
        flags = [self.evidence] * len(texts) if explain is None else list(explain)
        languages = detect_batch(texts) if languages is None else list(languages)
        predictions = self.classifier.predict(texts, [language.code for language in languages])
        results = []
        for text, context, pred, flag, language in zip(
            texts, contexts, predictions, flags, languages, strict=True
        ):
            shown = self.signal_policy.evidence_for(language.code)
            spans = shown.spans(text, pred) if flag and self.evidence else []
            assessment = self.assessor.assess(text, pred, context, spans)
            attributes = self.attributes.scores(pred, language.code)
            detected = self.signal_policy.targets_detected(pred.target_groups, self.target_bar)
            results.append(
                Analysis(
                    len(text),
                    pred,
                    assessment,
                    spans,
                    language,
                    attributes=attributes,
                    targets_detected=tuple(detected),
                )
            )
        return results
