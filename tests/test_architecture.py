"""The layout is the architecture: no import cycles anywhere, `rabat` imports no adapter and no
framework, and the adapters import `rabat`, never each other.

The graph is built with `ast` from every non-test source file, counting every import: at the
top, inside a function and under `if TYPE_CHECKING:` alike (a cycle of type hints is still two
modules that cannot be understood apart)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rabat", "service", "training", "annotation", "scoring", "retraining", "evaluation")
# Each adapter imports rabat only; evaluation measures what training made, so it may import it.
ADAPTERS = ("service", "training", "annotation", "scoring", "retraining")
MAY_IMPORT = {**{name: {"rabat"} for name in ADAPTERS}, "evaluation": {"rabat", "training"}}
# Frameworks and services the domain must not know (the adapters' business).
FRAMEWORKS = frozenset({
    "fastapi", "starlette", "uvicorn", "pydantic_settings", "prometheus_client", "httpx",
    "label_studio_sdk", "ray", "datasets", "pandas", "pyarrow", "sklearn", "onnx", "tenacity",
    "matplotlib",
})  # fmt: skip
SKIPPED_DIRS = {"tests", ".venv", ".venv-ls", "build", "node_modules"}

Graph = dict[str, set[str]]


def source_files(root: Path) -> Iterator[Path]:
    """Every .py file under `root` outside tests, virtual environments and hidden folders."""
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if not any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            yield path


def module_name(root: Path, path: Path) -> str:
    """tools/x.py -> "tools.x"; pkg/__init__.py -> "pkg"."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names a module imports (relative imports resolved); `from a import b` yields
    both `a` and `a.b`, since b may be a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if not is_package:
                    package.pop()
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(root: Path) -> Graph:
    """Module -> the modules of `root` it imports (only modules that exist under `root`)."""
    files = {module_name(root, path): path for path in source_files(root)}
    graph: Graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = imported_names(tree, module, path.name == "__init__.py")
        graph[module] = {name for name in names if name in files and name != module}
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm), each
    as a path that shows one cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(cycle_through(graph, set(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def cycle_through(graph: Graph, component: set[str]) -> list[str]:
    """One cycle inside a strongly connected component, start module repeated at the end."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:  # breadth first: the shortest way back to the start
        node = queue.pop(0)
        for nxt in sorted(graph[node] & component):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle through {sorted(component)}")


def top(name: str) -> str:
    return name.split(".")[0]


def layer_violations(root: Path, graph: Graph) -> list[str]:
    """Imports that cross the layers: rabat -> an adapter or a framework, adapter -> adapter."""
    problems = []
    for module in sorted(graph):
        owner = top(module)
        if owner not in PACKAGES:
            continue  # scripts and the like may use anything
        path = root / Path(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = imported_names(tree, module, path.name == "__init__.py")
        for other in sorted({top(name) for name in names} - {owner, ""}):
            if owner == "rabat" and (other in PACKAGES or other in FRAMEWORKS):
                problems.append(f"{module} imports {other}: rabat imports no adapter or framework")
            elif owner != "rabat" and other in PACKAGES and other not in MAY_IMPORT[owner]:
                allowed = " and ".join(sorted(MAY_IMPORT[owner]))
                problems.append(f"{module} imports {other}: {owner} may import only {allowed}")
    return problems


def show(found: Iterable[list[str]]) -> str:
    return "\n".join(" -> ".join(cycle) for cycle in found)


def test_no_module_imports_itself_round_a_cycle() -> None:
    found = cycles(import_graph(ROOT))
    assert not found, f"import cycles (break each by moving what both need):\n{show(found)}"


def test_rabat_and_the_adapters_stay_in_their_layers() -> None:
    problems = layer_violations(ROOT, import_graph(ROOT))
    assert not problems, "imports across the layers:\n" + "\n".join(problems)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_checker_finds_a_planted_cycle(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "import typing\nif typing.TYPE_CHECKING:\n    from .c import X\n",
            "pkg/c.py": "def f():\n    import pkg.a\n",
            "pkg/d.py": "import pkg.a\n",  # imports into the cycle, is not part of it
            "tests/test_x.py": "import pkg.a\n",  # tests are not sources
        },
    )
    graph = import_graph(root)
    assert "tests.test_x" not in graph and graph["pkg.d"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    (root / "pkg/c.py").write_text("", encoding="utf-8")
    assert cycles(import_graph(root)) == []


def test_the_checker_finds_imports_across_the_layers(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "rabat/__init__.py": "",
            "rabat/x.py": "import fastapi\nfrom service import app\n",
            "service/__init__.py": "",
            "service/app.py": "from rabat import x\nfrom training.train import train\n",
            "training/__init__.py": "",
            "training/train.py": "import rabat.x\n",
            "evaluation/__init__.py": "",
            "evaluation/run.py": "from training import train\nfrom annotation import y\n",
            "annotation/__init__.py": "",
            "annotation/y.py": "",
        },
    )
    problems = layer_violations(root, import_graph(root))
    assert problems == [
        "evaluation.run imports annotation: evaluation may import only rabat and training",
        "rabat.x imports fastapi: rabat imports no adapter or framework",
        "rabat.x imports service: rabat imports no adapter or framework",
        "service.app imports training: service may import only rabat",
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_is_known_to_the_rules(package: str) -> None:
    assert package == "rabat" or package in MAY_IMPORT


MAX_MODULE_LINES = 300  # past this a module is split (docs/house-style: modules read top to bottom)
MAX_FUNCTION_LINES = 60  # a function fits on a screen


def oversized(root: Path) -> list[str]:
    """Modules over MAX_MODULE_LINES and functions over MAX_FUNCTION_LINES, outside tests."""
    found = []
    for path in source_files(root):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(
                        f"{name}:{node.lineno} {node.name}(): {length} lines "
                        f"(at most {MAX_FUNCTION_LINES})"
                    )
    return found


def test_modules_and_functions_stay_small() -> None:
    found = oversized(ROOT)
    assert not found, "split these into named parts:\n" + "\n".join(found)


def test_the_size_check_finds_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(61))
    root = write(tmp_path, {"pkg/long.py": "def f():\n" + body + "\n" * 240})
    assert oversized(root) == [
        "pkg/long.py: 302 lines (at most 300)",
        "pkg/long.py:1 f(): 62 lines (at most 60)",
    ]
