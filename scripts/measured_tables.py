"""The tables of docs/measured.md, one renderer per metrics file (scripts/measured.py)."""

from __future__ import annotations

from typing import Any

Lines = list[str]


def num(value: Any, digits: int | None = None) -> str:
    """A figure as the page shows it: three significant places for scores, fewer for rates and
    sizes (164.2 texts/s shows as 164), thousands separators, '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if digits is None:
            digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 3
        return f"{value:,.{digits}f}"
    return str(value)


def table(head: list[str], rows: list[list[Any]]) -> Lines:
    """A Markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(num(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def titled(title: str, head: list[str], rows: list[list[Any]]) -> Lines:
    """A line of text, then a table."""
    return [title, "", *table(head, rows)]


def dig(data: dict[str, Any], *keys: Any) -> Any:
    """data[k1][k2]...; None where a key is missing (older files hold fewer figures)."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def dig_items(data: dict[str, Any], key: str) -> list[tuple[str, Any]]:
    """The items of the mapping at data[key]; none when it is missing or empty."""
    return list((data.get(key) or {}).items())


def render_training(m: dict[str, Any]) -> Lines:
    """Training speed, the split scores and the publish gate of MODEL/metrics.json."""
    run, functional, gate = m.get("training", {}), m.get("functional") or {}, m.get("gate") or {}
    worst = functional.get("worst")
    rows = [
        ["model version", m.get("version")],
        ["training samples", run.get("samples")],
        ["training time (s)", run.get("train_seconds")],
        ["training samples/s", run.get("samples_per_second")],
        ["peak RSS (MB)", run.get("peak_rss_mb")],
    ]
    for split in ("dev", "test"):
        rows.append(
            [f"{split} macro-F1 ({num(dig(m, split, 'n'))} rows)", dig(m, split, "macro_f1")]
        )
        rows.append([f"{split} incitement F1", dig(m, split, "per_label", "incitement", "f1")])
    if functional:
        rows.append(
            [f"functional suite ({num(functional.get('cases'))} cases)", functional.get("overall")]
        )
        rows.append(
            [f"functional suite, worst: {worst}", dig(functional, "categories", worst, "accuracy")]
        )
    if gate:
        rows.append(["publish gate passed", gate.get("passed")])
    lines = table(["figure", "value"], rows)
    per_language = m.get("dev_per_language") or {}
    if per_language:
        lines += ["Dev macro-F1 per language:", ""]
        lines += table(list(per_language), [[v.get("macro_f1") for v in per_language.values()]])
    return lines


def render_eval(m: dict[str, Any]) -> Lines:
    """Each evaluated file per system, the functional suite, the evidence and the case bank."""
    head = ["system", "rows", "macro-F1", "incitement F1", "hateful ROC-AUC", "ECE"]
    lines: Lines = []
    for name, systems in (m.get("files") or {}).items():
        rows = [
            [system, r.get("n"), r.get("macro_f1"), dig(r, "per_label", "incitement", "f1"),
             dig(r, "binary_hateful", "roc_auc"), dig(r, "calibration", "ece")]
            for system, r in systems.items()
        ]  # fmt: skip
        lines += titled(f"`{name}`:", head, rows)
    rows = [
        [system, r.get("cases"), r.get("overall"), r.get("worst"),
         dig(r, "categories", r.get("worst"), "accuracy")]
        for system, r in (m.get("functional") or {}).items()
    ]  # fmt: skip
    if rows:
        head = ["system", "cases", "overall", "worst category", "its accuracy"]
        lines += titled("Functional suite:", head, rows)
    if m.get("evidence"):
        lines += render_evidence(m["evidence"])
    if m.get("cases"):
        lines += render_cases(m["cases"])
    return lines


def render_evidence(e: dict[str, Any]) -> Lines:
    """Plausibility and faithfulness on HateXplain, character F1 on Toxic Spans."""
    keys = ["posts", "token_f1", "iou_f1", "auprc", "comprehensiveness", "sufficiency"]
    head = ["method", "posts", "token-F1 (top 5)", "IOU-F1", "AUPRC", "compr.", "suff."]
    rows = [[name, *(r.get(k) for k in keys)] for name, r in dig_items(e, "hatexplain_val")]
    spans = [[name, r.get("posts"), r.get("char_f1")] for name, r in dig_items(e, "toxic_spans")]
    return [
        *titled("Evidence on HateXplain's validation split:", head, rows),
        *titled("Evidence as served, Toxic Spans:", ["file", "posts", "character F1"], spans),
    ]


def render_cases(c: dict[str, Any]) -> Lines:
    """The Rabat decision's agreement with the case bank, per part."""
    keys = ["cases", "decision_agreement", "incitement_recall", "protected_met", "undetermined"]
    head = ["part", "cases", "agreement", "incitement recall", "protected met", "undetermined"]
    rows = [[part, *(r.get(k) for k in keys)] for part, r in dig_items(c, "parts")]
    return titled("The Rabat decision on the case bank:", head, rows)


def render_onnx(m: dict[str, Any]) -> Lines:
    """File sizes and the dev-split parity of the ONNX export."""
    rows = [[f"{name} (MB)", size / 1e6] for name, size in dig_items(m, "bytes")]
    dev = m.get("dev") or {}
    rows += [
        [f"{backend} dev macro-F1 ({num(dev.get('rows'))} rows)", dig(dev, backend, "macro_f1")]
        for backend in ("torch", "onnx_fp32", "onnx_int8")
        if backend in dev
    ]
    for backend in ("onnx_fp32", "onnx_int8"):
        if backend in dev:
            same_words = dig(dev, backend, "evidence", "texts_with_same_words")
            rows.append(
                [f"{backend}: label agreement with torch", dev[backend].get("label_agreement")]
            )
            rows.append([f"{backend}: texts with torch's evidence words", same_words])
    return table(["figure", "value"], rows)


def render_multilingual(m: dict[str, Any]) -> Lines:
    """The English and the multilingual model on the same English dev rows and suites."""
    models = m.get("models") or {}
    rows = [
        [name, dig(r, "english_dev", "macro_f1"), r.get("texts_per_second")]
        for name, r in models.items()
    ]
    codes = sorted({code for r in models.values() for code in (r.get("functional") or {})})
    suites = [
        [name, *(dig(r, "functional", code, "overall") for code in codes)]
        for name, r in models.items()
    ]
    return [
        *titled(f"English dev, the same {num(m.get('english_dev_rows'))} rows:",
                ["model", "macro-F1", "texts/s"], rows),
        *titled("Functional suites, overall accuracy:", ["model", *codes], suites),
    ]  # fmt: skip


def render_bench(m: dict[str, Any]) -> Lines:
    """The service against the in-process pipeline, and its memory."""
    rows = [
        [r.get("system"), r.get("texts_per_s"), r.get("p50_ms"), r.get("p99_ms")]
        for r in m.get("rows", [])
    ]
    memory = [[m.get("ready_s"), dig(m, "memory_idle", "rss_mb"), dig(m, "memory", "peak_rss_mb")]]
    return [
        *table(["system", "texts/s", "p50 ms", "p99 ms"], rows),
        *table(["service ready (s)", "idle RSS (MB)", "peak RSS (MB)"], memory),
    ]


def render_scoring(m: dict[str, Any]) -> Lines:
    """Scoring throughput per engine, or peak memory per archive size."""
    lines: Lines = []
    rates = m.get("throughput") or {}
    if rates:
        first = next(iter(rates.values()))
        rows = [[name, rate, rate / first] for name, rate in rates.items()]
        lines += table(["system", "texts/s", "x the first"], rows)
    runs = [
        [int(n), r.get("seconds"), r.get("texts_per_s"), r.get("peak_mb")]
        for n, r in dig_items(m, "memory")
    ]
    if runs:
        lines += table(["rows", "seconds", "texts/s", "peak MB"], runs)
    return lines


def render_attributes(m: dict[str, Any]) -> Lines:
    """The drop-in formats' calibrated quantities: 2-fold quality on dev, the thresholds that
    reach a precision, and the calibration error per language."""
    found = dig_items(m.get("report") or {}, "attributes")
    rows = []
    for name, r in found:
        reach = dig(r, "thresholds", "for_precision") or {}
        rows.append(
            [
                name, r.get("rows"), r.get("positives"), r.get("roc_auc"), r.get("ece_raw"),
                r.get("ece"), dig(r, "thresholds", "at", "0.5", "precision"),
                dig(r, "thresholds", "at", "0.5", "recall"),
                dig(reach, "0.7", "threshold"), dig(reach, "0.8", "threshold"),
            ]
        )  # fmt: skip
    head = [
        "quantity", "dev rows", "positives", "ROC-AUC", "ECE raw", "ECE calibrated",
        "precision at 0.5", "recall at 0.5", "score for precision 0.7", "score for precision 0.8",
    ]  # fmt: skip
    names = [name for name, _ in found]
    codes = sorted({code for _, r in found for code in (r.get("by_language") or {})})
    by_language = [
        [code, *(dig(dict(found), name, "by_language", code, "ece") for name in names)]
        for code in codes
    ]
    return [
        *table(head, rows),
        "Calibration error (ECE, 15 bins) per language, on the same 2-fold scores:",
        "",
        *table(["language", *names], by_language),
    ]


def render_dropin(m: dict[str, Any]) -> Lines:
    """Each drop-in endpoint against Rabat's own, alternating rounds on one service."""
    rows = []
    for r in m.get("results", []):
        (dropin, dropin_rate), (own, own_rate) = list((r.get("texts_per_s") or {}).items())[:2]
        rows.append([r.get("pair"), dropin, dropin_rate, own, own_rate, r.get("ratio")])
    head = ["requests", "drop-in", "texts/s", "Rabat's own", "texts/s", "ratio"]
    return table(head, rows)


def render_civil(m: dict[str, Any]) -> Lines:
    """The drop-in attributes against Civil Comments' raters' span types (Toxic Spans dev rows)."""
    rows = [
        [key.split("/")[0], f">= {key.split('/')[1]}", r.get("positives"), r.get("roc_auc"),
         r.get("mean_with"), r.get("mean_without")]
        for key, r in m.items()
        if isinstance(r, dict)
    ]  # fmt: skip
    head = ["attribute", "raters marking the type", "comments", "ROC-AUC", "mean score with",
            "mean score without"]  # fmt: skip
    lead = f"{m.get('comments')} Toxic Spans comments of the dev split, nearly all rated toxic:"
    return [lead, "", *table(head, rows)]
