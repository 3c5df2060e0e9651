"""Choosing the operating point (rabat.model.operating_point) from data, per language.

The hateful bar of each language is the one of BARS with the best mean of what that language has:
the hateful-vs-not macro-F1 of its dev rows (natural text, when it has `MIN_ROWS` of them, some
hateful and some not) and the mean accuracy over the categories of its functional suite (templated
cases, about two thirds of them hateful). The two pull opposite ways, natural text being mostly
not hateful, which is why both count. A language with a suite but no usable dev rows counts, in
place of its own natural text, the mean of the other languages' dev macro-F1 at that bar: a suite
alone would push the bar down to "hateful" for nearly everything (Spanish went to 0.075). Ties
go to the bar nearest 0.5. A language with neither takes the median of the chosen bars
(`hateful_other`).

The incitement bar (incitement's share of the hateful mass): a suite's threat categories say when
a bar calls too little incitement, but every other hateful category accepts `incitement`, so a
suite cannot say when it calls too much; dev rows can. So a language's bar is the best mean of
its dev 4-label macro-F1 (its own when it has `MIN_INCITEMENT` incitement rows, else all dev
rows pooled) and its suite's accuracy; every other language takes the pooled dev's best bar.

Both bars are chosen among those that keep the language's suite above the publish gate's floors
(`SuiteScores.floors`, `default_floor`, `overall_floor`: the config's `gate`), when some do: a bar
that wins the objective by giving up one functionality (English negated hate at 0.18 on
2026-12-07) would make the gate refuse the model. When none does, the best bar is kept and the
report says `floors_met: false` (the gate then refuses).

Dev and the suites are where Rabat tunes; a test split never chooses a bar. The report keeps, per
language, the precision and recall of `hateful` on dev at every bar, so a user can pick another
operating point (docs/operating-point.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from rabat.labels import LABELS
from rabat.model.operating_point import OperatingPoint, decide_rows
from training.functional.spec import EXPECTED
from training.served_suites import Decider, suite_decider

BARS = tuple(float(round(b, 3)) for b in np.arange(0.05, 0.951, 0.025))
SHARES = tuple(float(round(b, 2)) for b in np.arange(0.1, 0.91, 0.05))
MIN_ROWS, MIN_HATEFUL, MIN_INCITEMENT = 100, 20, 30
HS, INC = LABELS.index("hate_speech"), LABELS.index("incitement")
OFF, NONE = LABELS.index("offensive"), LABELS.index("none")


@dataclass(frozen=True)
class SuiteScores:
    """One language's functional suite as scored: probabilities, and each case's expectation and
    category (training/functional)."""

    probs: np.ndarray
    expects: Sequence[str]
    categories: Sequence[str]
    floors: Mapping[str, float] = field(default_factory=dict)  # category -> the gate's floor
    default_floor: float | None = None  # every other category's floor
    overall_floor: float | None = None  # the floor of the share of all cases right
    served: Sequence[str] | None = None  # each case's language as served (detected)


def _right(suite: SuiteScores, decided: np.ndarray) -> np.ndarray:
    return np.array([LABELS[i] in EXPECTED[e] for i, e in zip(decided, suite.expects, strict=True)])


def suite_accuracy(suite: SuiteScores, decided: np.ndarray) -> float:
    """Mean over categories of the share of cases whose label is one the case expects."""
    names, right = np.asarray(suite.categories), _right(suite, decided)
    return float(np.mean([right[names == name].mean() for name in sorted(set(names.tolist()))]))


def meets_floors(suite: SuiteScores | None, decided: np.ndarray) -> bool:
    """Whether these labels keep the suite at or above every floor the gate would check."""
    if suite is None:
        return True
    names, right = np.asarray(suite.categories), _right(suite, decided)
    if suite.overall_floor is not None and right.mean() < suite.overall_floor:
        return False
    for name in set(names.tolist()):
        floor = suite.floors.get(name, suite.default_floor)
        if floor is not None and right[names == name].mean() < floor:
            return False
    return True


def binary_f1(gold: np.ndarray, decided: np.ndarray) -> float:
    """Macro-F1 of hateful against not hateful."""
    truth, found = np.isin(gold, [HS, INC]), np.isin(decided, [HS, INC])
    return float(f1_score(truth, found, average="macro", labels=[False, True]))


def _usable_dev(gold: np.ndarray) -> bool:
    hateful = int(np.isin(gold, [HS, INC]).sum())
    return len(gold) >= MIN_ROWS and MIN_HATEFUL <= hateful < len(gold)


def choose_hateful_bar(
    dev_probs: np.ndarray | None,
    dev_gold: np.ndarray | None,
    suite: SuiteScores | None,
    proxy: dict[float, float] | None = None,
    decide_suite: Decider | None = None,
) -> dict[str, Any] | None:
    """One language's hateful bar and what chose it (None: neither dev nor suite). `proxy`: bar ->
    other languages' mean dev macro-F1; `decide_suite`: suite labels at (bar, share) as served."""
    use_dev = dev_probs is not None and dev_gold is not None and _usable_dev(dev_gold)
    if not use_dev and suite is None:
        return None
    table = []
    for bar in BARS:
        parts, met = {}, True
        if use_dev:
            assert dev_probs is not None and dev_gold is not None
            parts["dev_binary_macro_f1"] = binary_f1(dev_gold, decide_rows(dev_probs, bar, 1.0))
        elif proxy:
            parts["other_languages_dev_binary_macro_f1"] = proxy[bar]
        if suite is not None:
            decided = decide_suite(bar, 0.0) if decide_suite else decide_rows(suite.probs, bar, 0.0)
            parts["suite"], met = suite_accuracy(suite, decided), meets_floors(suite, decided)
        table.append((bar, float(np.mean(list(parts.values()))), parts, met))
    allowed = [row for row in table if row[3]] or table
    bar, objective, parts, met = max(allowed, key=lambda row: (row[1], -abs(row[0] - 0.5)))
    at_half = next(row for row in table if abs(row[0] - 0.5) < 1e-9)
    return {"bar": bar, "objective": objective, **parts, "floors_met": met, "at_0.5": at_half[2]}


def share_scores(
    probs: np.ndarray, gold: np.ndarray, hateful_bars: np.ndarray
) -> dict[float, float]:
    """share bar -> the 4-label macro-F1 of these rows (each at its hateful bar)."""
    present = sorted(set(gold.tolist()))
    return {
        share: float(
            f1_score(
                gold, _decide_per_row(probs, hateful_bars, share), labels=present, average="macro"
            )
        )
        for share in SHARES
    }


def _best(table: Mapping[float, float]) -> float:
    return max(table, key=lambda share: (table[share], -abs(share - 0.5)))


def choose_share_bars(
    probs: np.ndarray,
    gold: np.ndarray,
    codes: np.ndarray,
    hateful: Mapping[str, float],
    other: float,
    suites: Mapping[str, SuiteScores],
    others: OperatingPoint | None = None,
) -> tuple[float, dict[str, float], dict[str, Any]]:
    """The incitement share bars: for every other language, the best pooled dev macro-F1; for a
    language with `MIN_INCITEMENT` dev incitement rows or a suite, the best mean of its own dev
    macro-F1 (else the pooled one, which is what says when a bar calls too much incitement) and
    its suite's accuracy at its hateful bar."""
    row_bars = np.array([hateful.get(code, other) for code in codes])
    pooled = share_scores(probs, gold, row_bars)
    shares: dict[str, float] = {}
    report: dict[str, Any] = {}
    for code in sorted(set(codes.tolist()) | set(suites)):
        rows = codes == code
        own = int((gold[rows] == INC).sum()) >= MIN_INCITEMENT
        suite = suites.get(code)
        if not own and suite is None:
            continue
        dev = share_scores(probs[rows], gold[rows], row_bars[rows]) if own else pooled
        objective, met = {}, {}
        decider = suite_decider(suite.probs, suite.served, code, others) if suite else None
        for share in SHARES:
            parts = [dev[share]]
            decided = None
            if suite is not None and decider is not None:
                decided = decider(hateful.get(code, other), share)
                parts.append(suite_accuracy(suite, decided))
            objective[share] = float(np.mean(parts))
            met[share] = decided is None or meets_floors(suite, decided)
        shares[code] = _best({s: v for s, v in objective.items() if met[s]} or objective)
        report[code] = {
            "share": shares[code],
            "dev": "own" if own else "pooled",
            "floors_met": met[shares[code]],
        }
    return _best(pooled), shares, report


def _decide_per_row(probs: np.ndarray, hateful_bars: np.ndarray, share: float) -> np.ndarray:
    out = np.empty(len(probs), dtype=int)
    for bar in np.unique(hateful_bars):
        rows = hateful_bars == bar
        out[rows] = decide_rows(probs[rows], float(bar), share)
    return out


def choose(
    dev_probs: np.ndarray,
    dev_gold: Sequence[str],
    dev_languages: Sequence[str],
    suites: Mapping[str, SuiteScores],
) -> tuple[OperatingPoint, dict[str, Any]]:
    """The operating point for a model, and the report of how each bar was chosen. When the
    suites know each case's served language, the bars are chosen again with the first choice's
    bars deciding the cases served as another language, as the gate will see them."""
    gold = np.array([LABELS.index(label) for label in dev_gold])
    codes = np.asarray(dev_languages)
    proxy = _dev_proxy(dev_probs, gold, codes)
    point, report = _choose(dev_probs, gold, codes, suites, proxy, None)
    if any(suite.served is not None for suite in suites.values()):
        point, report = _choose(dev_probs, gold, codes, suites, proxy, point)
        report["served_languages"] = True
    report["dev_tradeoff"] = tradeoff(dev_probs, gold, codes)
    return point, report


def _choose(
    dev_probs: np.ndarray,
    gold: np.ndarray,
    codes: np.ndarray,
    suites: Mapping[str, SuiteScores],
    proxy: dict[float, float],
    others: OperatingPoint | None,
) -> tuple[OperatingPoint, dict[str, Any]]:
    """One choice of every bar; `others` decides the suite cases served as another language."""
    report: dict[str, Any] = {"languages": {}}
    hateful: dict[str, float] = {}
    for code in sorted(set(codes.tolist()) | set(suites)):
        rows, suite = codes == code, suites.get(code)
        found = choose_hateful_bar(
            dev_probs[rows] if rows.any() else None,
            gold[rows] if rows.any() else None,
            suite,
            proxy,
            suite_decider(suite.probs, suite.served, code, others) if suite else None,
        )
        if found is not None:
            hateful[code] = found["bar"]
            report["languages"][code] = {"dev_rows": int(rows.sum()), **found}
    other = float(np.median(list(hateful.values()))) if hateful else 0.5
    share_other, shares, report["incitement"] = choose_share_bars(
        dev_probs, gold, codes, hateful, other, suites, others
    )
    return OperatingPoint(other, share_other, hateful, shares), report


def _dev_proxy(probs: np.ndarray, gold: np.ndarray, codes: np.ndarray) -> dict[float, float]:
    """bar -> the mean over languages with usable dev rows of their hateful-vs-not macro-F1."""
    usable = [c for c in sorted(set(codes.tolist())) if _usable_dev(gold[codes == c])]
    return (
        {
            bar: float(
                np.mean(
                    [
                        binary_f1(gold[codes == c], decide_rows(probs[codes == c], bar, 1.0))
                        for c in usable
                    ]
                )
            )
            for bar in BARS
        }
        if usable
        else {}
    )


def tradeoff(probs: np.ndarray, gold: np.ndarray, codes: np.ndarray) -> dict[str, Any]:
    """Precision and recall of `hateful` on dev at every tenth of a bar, pooled and per language."""
    truth = np.isin(gold, [HS, INC])
    mass = probs[:, HS] + probs[:, INC]
    out: dict[str, Any] = {}
    for code in ["all", *sorted(set(codes.tolist()))]:
        rows = np.ones(len(codes), bool) if code == "all" else codes == code
        if not truth[rows].any():
            continue
        table = {}
        for bar in np.round(np.arange(0.1, 0.91, 0.1), 1):
            found = mass[rows] >= bar
            tp = int((found & truth[rows]).sum())
            table[f"{bar:.1f}"] = {
                "precision": tp / int(found.sum()) if found.any() else None,
                "recall": tp / int(truth[rows].sum()),
                "flagged": float(found.mean()),
            }
        out[code] = table
    return out


def decide_labels(point: OperatingPoint, probs: np.ndarray, languages: Sequence[str]) -> list[str]:
    """Each row's label under `point`, by the row's language (dev and test: the corpus's)."""
    hateful = np.array([point.bars(code)[0] for code in languages])
    share = np.array([point.bars(code)[1] for code in languages])
    out = np.empty(len(probs), dtype=int)
    for h, s in set(zip(hateful.tolist(), share.tolist(), strict=True)):
        rows = (hateful == h) & (share == s)
        out[rows] = decide_rows(probs[rows], h, s)
    return [LABELS[i] for i in out]
