"""What a model shows besides its label, chosen on its own dev rows and saved with it.

`signal_policy.json` in a model directory holds:

- **evidence**: the `EvidencePolicy` (rabat.model.evidence) fitted on the model's dev rationales,
  per language where a language has enough of them, and one for every other language (`other`);
- **target bars**: per target group, the bar on its probability at which the group is listed in
  `targets_detected`, the one of largest recall whose dev precision reaches the aim (0.80). A
  group saved with `null` reached it at no bar, so it is never listed (its probability still is);
  a group not in the file keeps the Rabat policy's `intent.target_bar`.

training/signal_policy.py fits it (in training, and for a published model with
`python -m training.signal_policy`). A model without the file keeps the defaults. Torch-free.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rabat.model.evidence import EvidencePolicy
from rabat.signals import TARGET_GROUPS
from rabat.store.files import write_text

SIGNAL_POLICY_FILE = "signal_policy.json"
FORMAT = 1
_EVIDENCE_KEYS = set(asdict(EvidencePolicy()))
_REFIT = "fit it again with `python -m training.signal_policy --model DIR`"


@dataclass(frozen=True)
class SignalPolicy:
    """A model's evidence policy per language and its target bar per group (module docstring)."""

    evidence_other: EvidencePolicy = field(default_factory=EvidencePolicy)
    evidence: dict[str, EvidencePolicy] = field(default_factory=dict)
    # group -> bar, or None: never listed (no bar reached the precision aimed at)
    target_bars: dict[str, float | None] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)  # how it was chosen, for people

    def __post_init__(self) -> None:
        unknown = sorted(set(self.target_bars) - set(TARGET_GROUPS))
        if unknown:
            raise ValueError(
                f"signal policy names unknown target groups {unknown}: expected some of "
                f"{list(TARGET_GROUPS)}; {_REFIT}"
            )
        bad = {g: b for g, b in self.target_bars.items() if b is not None and not 0.0 < b <= 1.0}
        if bad:
            raise ValueError(f"target bars must lie in (0, 1] or be null, found {bad}; {_REFIT}")

    def evidence_for(self, language: str) -> EvidencePolicy:
        """The evidence policy for a text in `language` (any other: the `other` one)."""
        return self.evidence.get(language, self.evidence_other)

    def targets_detected(self, target_groups: Mapping[str, float], default_bar: float) -> list[str]:
        """The groups whose probability reaches their bar (`default_bar` where none is saved)."""
        found = []
        for group, value in target_groups.items():
            bar = self.target_bars.get(group, default_bar)
            if bar is not None and value >= bar:
                found.append(group)
        return sorted(found)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "evidence": {
                "other": asdict(self.evidence_other),
                "languages": {code: asdict(p) for code, p in sorted(self.evidence.items())},
            },
            "target_bars": dict(self.target_bars),
            "report": self.report,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SignalPolicy:
        """The policy in `raw`; a ValueError that says what is wrong otherwise."""
        if raw.get("format") != FORMAT:
            raise ValueError(
                f"signal policy format {raw.get('format')!r}, expected {FORMAT}: install the "
                f"rabat version the model was saved with, or {_REFIT}"
            )
        evidence = raw.get("evidence")
        if not isinstance(evidence, Mapping) or "other" not in evidence:
            raise ValueError(f"signal policy lacks evidence.other; {_REFIT}")
        bars = raw.get("target_bars", {})
        if not isinstance(bars, Mapping):
            raise ValueError(f"target_bars must map group to bar, found {bars!r}; {_REFIT}")
        return cls(
            evidence_other=_evidence(evidence["other"], "other"),
            evidence={
                str(code): _evidence(found, str(code))
                for code, found in (evidence.get("languages") or {}).items()
            },
            target_bars={str(g): None if b is None else float(b) for g, b in bars.items()},
            report=dict(raw.get("report") or {}),
        )

    def write(self, model_dir: str | Path) -> Path:
        """Save it as `model_dir/signal_policy.json`."""
        path = Path(model_dir) / SIGNAL_POLICY_FILE
        write_text(path, json.dumps(self.to_json(), indent=1) + "\n")
        return path


def _evidence(raw: Any, where: str) -> EvidencePolicy:
    if not isinstance(raw, Mapping) or set(raw) != _EVIDENCE_KEYS:
        found = sorted(raw) if isinstance(raw, Mapping) else raw
        raise ValueError(
            f"evidence policy {where!r} must have exactly {sorted(_EVIDENCE_KEYS)}, found "
            f"{found}; {_REFIT}"
        )
    return EvidencePolicy(
        relative=float(raw["relative"]),
        floor_score=float(raw["floor_score"]),
        top_k=raw["top_k"],
        none_bar=float(raw["none_bar"]),
    )


def read_signal_policy(model_dir: str | Path) -> SignalPolicy | None:
    """The policy saved with the model in `model_dir`, or None when it has none."""
    path = Path(model_dir) / SIGNAL_POLICY_FILE
    if not path.is_file():
        return None
    try:
        return SignalPolicy.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{path} is not a valid signal policy: {error}") from error
