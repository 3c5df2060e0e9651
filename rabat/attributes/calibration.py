"""Calibration curves that turn each raw quantity into a probability, read from the model's
`attributes.json` (written by `python -m training.attributes`).

A curve is the monotone (isotonic) fit of the dev split's labels on the raw quantity, kept as
its knots and read by linear interpolation between them. A quantity without a curve (no file,
or a dev split too small to fit one) is served raw, and `calibrated` is False for the service
to say so.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rabat.attributes.quantities import QUANTITIES
from rabat.model.prediction import Prediction

CALIBRATION_FILE = "attributes.json"
FIX = "recalibrate it: python -m training.attributes --model-dir {model_dir}"


class CalibrationError(ValueError):
    """attributes.json is unreadable or does not fit this version of rabat."""


@dataclass(frozen=True)
class Curve:
    """Knots (x ascending, y in [0, 1]); values outside are clipped to the end knots."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.x or len(self.x) != len(self.y):
            raise ValueError(
                f"a curve needs as many x as y knots, found {len(self.x)} and {len(self.y)}"
            )
        if any(b < a for a, b in zip(self.x, self.x[1:], strict=False)):
            raise ValueError("a curve's x knots must be ascending")
        if any(not 0.0 <= v <= 1.0 for v in self.y):
            raise ValueError("a curve's y knots must be probabilities in [0, 1]")

    def __call__(self, value: float) -> float:
        i = bisect.bisect_right(self.x, value)
        if i == 0:
            return self.y[0]
        if i == len(self.x):
            return self.y[-1]
        x0, x1, y0, y1 = self.x[i - 1], self.x[i], self.y[i - 1], self.y[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (value - x0) / (x1 - x0)

    @classmethod
    def from_knots(cls, x: Sequence[float], y: Sequence[float]) -> Curve:
        return cls(tuple(float(v) for v in x), tuple(float(v) for v in y))


@dataclass(frozen=True)
class Platt:
    """A language's correction on top of the curve: sigmoid(a * logit(p) + b)."""

    a: float
    b: float

    def __call__(self, p: float) -> float:
        p = min(max(p, EPS), 1.0 - EPS)
        z = self.a * math.log(p / (1.0 - p)) + self.b
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


EPS = 1e-4


@dataclass(frozen=True)
class AttributeScorer:
    """Every quantity's score for a prediction; calibrated when curves cover them all. A
    language with a correction of its own (`languages[code][quantity]`, fitted where its dev
    rows allow) gets it on top of the curve."""

    curves: Mapping[str, Curve] = field(default_factory=dict)
    report: Mapping[str, Any] = field(default_factory=dict)
    languages: Mapping[str, Mapping[str, Platt]] = field(default_factory=dict)

    @property
    def calibrated(self) -> bool:
        """Every quantity has its curve (a dev split too small for one leaves it raw)."""
        return set(self.curves) == set(QUANTITIES)

    def scores(self, prediction: Prediction, language: str | None = None) -> dict[str, float]:
        corrections = self.languages.get(language or "", {})
        out = {}
        for name, quantity in QUANTITIES.items():
            value = quantity.raw(prediction)
            if name in self.curves:
                value = self.curves[name](value)
                if name in corrections:
                    value = corrections[name](value)
            out[name] = round(value, 4)
        return out

    @classmethod
    def load(cls, model_dir: str | Path) -> AttributeScorer:
        """The model's curves; uncalibrated when it has no attributes.json."""
        path = Path(model_dir) / CALIBRATION_FILE
        if not path.is_file():
            return cls()
        fix = FIX.format(model_dir=model_dir)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            curves = {
                name: Curve.from_knots(found["x"], found["y"])
                for name, found in data["curves"].items()
            }
            languages = {
                code: {name: Platt(float(p["a"]), float(p["b"])) for name, p in found.items()}
                for code, found in (data.get("languages") or {}).items()
            }
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise CalibrationError(
                f"{path} is not a valid calibration file ({err}); {fix}"
            ) from None
        if not set(curves) <= set(QUANTITIES):
            raise CalibrationError(
                f"{path} calibrates {sorted(curves)}, this version of rabat scores "
                f"{sorted(QUANTITIES)}; {fix}"
            )
        unknown = {name for found in languages.values() for name in found} - set(curves)
        if unknown:
            raise CalibrationError(f"{path} corrects {sorted(unknown)} without a curve; {fix}")
        return cls(curves, data.get("report", {}), languages)

    def to_json(self) -> dict[str, Any]:
        curves = {name: {"x": list(c.x), "y": list(c.y)} for name, c in self.curves.items()}
        languages = {
            code: {name: {"a": p.a, "b": p.b} for name, p in found.items()}
            for code, found in self.languages.items()
        }
        return {"curves": curves, "languages": languages, "report": dict(self.report)}
