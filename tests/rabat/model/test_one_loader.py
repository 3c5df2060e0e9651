"""One loader: no source outside `rabat.model.loader` picks a model backend.

Picking a backend means constructing or loading a backend class (`Classifier`, `OnnxClassifier`),
passing `quantized=`, or comparing a value with a backend's name. The scan reads every non-test
Python source of the project's packages and scripts.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOURCES = (
    "rabat",
    "service",
    "training",
    "annotation",
    "scoring",
    "scripts",
    "evaluation",
    "retraining",
)
LOADER = ROOT / "rabat" / "model" / "loader.py"
BACKEND_CLASSES = {"Classifier", "OnnxClassifier"}
BACKEND_NAMES = {"torch", "onnx", "onnx-int8", "onnx-fp32", "onnx_int8", "onnx_fp32", "auto"}
# functions that compare with a backend's name without loading anything, and why
NOT_CHOICES = {"format_bench": "picks the torch rows of a benchmark table as the reference"}


def _name(node: ast.expr) -> str | None:
    """The last name of `a.b.C` or `C`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _names_a_backend(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in BACKEND_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_a_backend(item) for item in node.elts)
    return False


def backend_choices(source: str, filename: str = "<source>") -> list[str]:
    """Each place in `source` that picks a model backend, as `line: what`."""
    found: list[str] = []
    pending: list[ast.AST] = [ast.parse(source, filename)]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef) and node.name in NOT_CHOICES:
            continue
        found += _choice(node)
        pending += ast.iter_child_nodes(node)
    return sorted(found, key=lambda where: int(where.split(":")[0]))


def _choice(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Call):
        func, found = node.func, []
        if _name(func) in BACKEND_CLASSES:
            found.append(f"{node.lineno}: constructs {_name(func)}")
        loaded = func.value if isinstance(func, ast.Attribute) and func.attr == "load" else None
        if loaded is not None and _name(loaded) in BACKEND_CLASSES:
            found.append(f"{node.lineno}: calls {_name(loaded)}.load")
        if any(keyword.arg == "quantized" for keyword in node.keywords):
            found.append(f"{node.lineno}: passes quantized=")
        return found
    if isinstance(node, ast.Compare) and any(
        _names_a_backend(side) for side in [node.left, *node.comparators]
    ):
        return [f"{node.lineno}: compares with a backend's name"]
    if isinstance(node, ast.MatchValue) and _names_a_backend(node.value):
        return [f"{node.lineno}: matches a backend's name"]
    return []


def sources() -> list[Path]:
    files = []
    for top in SOURCES:
        if (ROOT / top).is_dir():
            files += [p for p in sorted((ROOT / top).rglob("*.py")) if p != LOADER]
    return files


def test_no_backend_is_chosen_outside_the_loader() -> None:
    scanned = sources()
    assert len(scanned) > 50, f"expected the project's sources under {ROOT}, found {len(scanned)}"
    found = [
        f"{path.relative_to(ROOT)}:{where}"
        for path in scanned
        for where in backend_choices(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not found, (
        "a model backend is chosen outside rabat/model/loader.py; call "
        "rabat.model.loader (load_classifier, load_torch) instead:\n" + "\n".join(found)
    )


def test_the_loader_itself_is_what_the_scan_would_flag() -> None:
    assert backend_choices(LOADER.read_text(encoding="utf-8")), "the scan no longer sees the loader"


def test_a_planted_choice_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "from rabat.model.onnx_backend import OnnxClassifier\n"
        "from rabat.model import torch_backend\n"
        "def load(model_dir, backend):\n"
        "    if backend == 'torch':\n"
        "        return torch_backend.Classifier.load(model_dir)\n"
        "    if backend not in ('onnx', 'onnx-int8'):\n"
        "        raise ValueError(backend)\n"
        "    return OnnxClassifier.load(model_dir, quantized=True)\n"
        "def build(model, tokenizer, meta):\n"
        "    return torch_backend.Classifier(model, tokenizer, meta)\n"
        "def pick(backend):\n"
        "    match backend:\n"
        "        case 'onnx-int8':\n"
        "            return 1\n",
        encoding="utf-8",
    )
    found = backend_choices(planted.read_text(encoding="utf-8"))
    assert sorted(found) == sorted(
        [
            "4: compares with a backend's name",
            "5: calls Classifier.load",
            "6: compares with a backend's name",
            "8: calls OnnxClassifier.load",
            "8: passes quantized=",
            "10: constructs Classifier",
            "13: matches a backend's name",
        ]
    ), found


def test_an_ordinary_source_is_clean() -> None:
    clean = (
        "from rabat.model.loader import load_classifier\n"
        "def run(model_dir, backend, texts):\n"
        "    if backend == 'fast' or texts == ['a', 'b']:\n"
        "        pass\n"
        "    return load_classifier(model_dir, backend).predict(texts)\n"
        "def format_bench(rows):\n"
        "    return [r for r in rows if r['backend'] == 'torch']\n"
    )
    assert backend_choices(clean) == []
