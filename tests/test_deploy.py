"""The Dockerfile and compose.yaml parse, and stay in step with the Makefile: the torch pin, the
extras, the Label Studio version; the image runs as a non-root user, installs its dependencies
before the code arrives and checks its health on /ready (the check itself is run here)."""

from __future__ import annotations

import fnmatch
import http.server
import json
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# Options the image's pip commands may add to the Makefile's, and why: no wheel cache in a
# layer, and torch's CPU build (PyPI's Linux wheel of the same version pulls in CUDA).
IMAGE_ONLY_PIP_OPTIONS = {"--no-cache-dir": None, "--index-url": CPU_INDEX}
# Extras `make install` has that the image leaves out, and why.
IMAGE_LEAVES_OUT = {"dev": "tests and linters"}
# Environment variables that hold a secret (LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN is a switch).
SECRET_NAMES = r"PASSWORD|SECRET|API_KEYS|(?<!_API)_TOKEN$"
DOCKERFILE_KEYWORDS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip


# --- parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str  # everything after the keyword, continuation lines joined
    line: int  # where it starts (1-based)

    def flags(self) -> dict[str, str]:
        """Leading `--name=value` options (COPY --from=..., HEALTHCHECK --interval=...)."""
        return dict(re.findall(r"--([a-z-]+)=(\S+)", self.args.split(" CMD ")[0]))

    def exec_form(self) -> list[str]:
        """The JSON array of CMD, ENTRYPOINT, VOLUME or HEALTHCHECK's CMD."""
        text = self.args.split("CMD", 1)[1] if self.keyword == "HEALTHCHECK" else self.args
        value = json.loads(text)
        assert isinstance(value, list), f"line {self.line}: expected a JSON array, got {text}"
        return value


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order: comments dropped (also inside a continued instruction), lines
    ending in a backslash joined with the next. Raises ValueError on an unknown keyword."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not pending:
            start = number
        continued = line.endswith("\\")
        pending.append(line[:-1].strip() if continued else line)
        if continued:
            continue
        keyword, _, args = " ".join(pending).partition(" ")
        if keyword.upper() not in DOCKERFILE_KEYWORDS:
            raise ValueError(f"line {start}: unknown instruction {keyword!r}")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        pending = []
    if pending:
        raise ValueError(f"line {start}: the file ends inside a continued instruction")
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    """The instructions of the last stage, its FROM first."""
    last_from = max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM")
    return instructions[last_from:]


def shell_commands(script: str) -> list[list[str]]:
    """A RUN line or make recipe split into simple commands (at &&, || and ;)."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in {"&&", "||", ";"}:
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


@dataclass(frozen=True)
class PipInstall:
    options: dict[str, str | None]
    requirements: list[str]


def pip_installs(script: str) -> list[PipInstall]:
    """Every `... -m pip install ...` in a shell script, its options and requirements."""
    found = []
    for command in shell_commands(script):
        if "pip" not in command or "install" not in command:
            continue
        args = command[command.index("install") + 1 :]
        options: dict[str, str | None] = {}
        requirements = []
        i = 0
        while i < len(args):
            if args[i] in {"--index-url", "--extra-index-url", "-i"}:
                options[args[i]] = args[i + 1]
                i += 2
                continue
            if args[i].startswith("-"):
                options[args[i]] = None
            else:
                requirements.append(args[i])
            i += 1
        found.append(PipInstall(options, requirements))
    return found


def mounts(service: dict) -> dict[str, str]:
    """A compose service's short-syntax volumes, target -> source (a source may hold `:-`)."""
    found = {}
    for volume in service["volumes"]:
        match = re.fullmatch(r"(.+):(/[^:]*)(?::\w+)?", volume)
        assert match, f"not SOURCE:TARGET[:MODE]: {volume}"
        found[match.group(2)] = match.group(1)
    return found


def makefile_variable(text: str, name: str) -> str:
    match = re.search(rf"^{name}\s*\??=\s*(.+)$", text, re.M)
    assert match, f"the Makefile sets no {name}"
    return match.group(1).strip()


def makefile_recipe(text: str, target: str) -> str:
    """The recipe lines of `target:` (tab-indented lines after it), joined with `;`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return " ; ".join(recipe)


def extras_of(requirement: str) -> set[str]:
    match = re.fullmatch(r"""["']?[.\w/-]*\[([\w,\s-]+)\]["']?""", requirement)
    assert match, f"not a requirement with extras: {requirement}"
    return {extra.strip() for extra in match.group(1).split(",")}


def torch_pin(installs: list[PipInstall]) -> tuple[str, PipInstall]:
    pins = [(r, i) for i in installs for r in i.requirements if r.startswith("torch")]
    assert len(pins) == 1, f"expected one torch install, found {pins}"
    requirement, install = pins[0]
    assert re.fullmatch(r"torch==[\w.+]+", requirement), f"torch is not pinned: {requirement}"
    return requirement, install


def project_install(installs: list[PipInstall]) -> PipInstall:
    """The pip command that installs the project with its extras."""
    found = [i for i in installs if any("[" in r for r in i.requirements)]
    assert len(found) == 1, f"expected one install of the project with extras, found {found}"
    return found[0]


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def image(dockerfile: list[Instruction]) -> list[Instruction]:
    return final_stage(dockerfile)


@pytest.fixture(scope="module")
def makefile() -> str:
    return (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def make_installs(makefile: str) -> list[PipInstall]:
    return pip_installs(makefile_recipe(makefile, "$(VENV)/.installed"))


@pytest.fixture(scope="module")
def image_installs(image: list[Instruction]) -> list[PipInstall]:
    return [p for ins in image if ins.keyword == "RUN" for p in pip_installs(ins.args)]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


# --- the parsers themselves ---------------------------------------------------------------------


def test_parser_joins_continuations_and_drops_comments() -> None:
    text = '# c\nFROM a AS b\nRUN x \\\n  # inside\n  && y\n\nCMD ["p"]\n'
    assert parse_dockerfile(text) == [
        Instruction("FROM", "a AS b", 2),
        Instruction("RUN", "x && y", 3),
        Instruction("CMD", '["p"]', 7),
    ]
    with pytest.raises(ValueError, match="line 1: unknown instruction 'FORM'"):
        parse_dockerfile("FORM a\n")
    with pytest.raises(ValueError, match="ends inside a continued instruction"):
        parse_dockerfile("RUN a \\\n")


def test_pip_installs_reads_options_and_requirements() -> None:
    (install,) = pip_installs(
        "mkdir a && python -m pip install --quiet --index-url https://x torch==1.0 'b[c,d]'"
    )
    assert install.options == {"--quiet": None, "--index-url": "https://x"}
    assert install.requirements == ["torch==1.0", "b[c,d]"]
    assert extras_of("b[c,d]") == {"c", "d"}


# --- the Dockerfile -----------------------------------------------------------------------------


def test_image_is_python_3_11_slim(image: list[Instruction]) -> None:
    assert image[0].args.split()[0] == "python:3.11-slim"


def test_torch_pin_matches_the_makefile(
    make_installs: list[PipInstall], image_installs: list[PipInstall]
) -> None:
    make_pin, make_install = torch_pin(make_installs)
    image_pin, image_install = torch_pin(image_installs)
    assert image_pin == make_pin
    added = {k: v for k, v in image_install.options.items() if k not in make_install.options}
    assert added.items() <= IMAGE_ONLY_PIP_OPTIONS.items(), (
        f"the image installs torch with options the Makefile does not use: {added}; allowed "
        f"(see the Dockerfile's comment): {IMAGE_ONLY_PIP_OPTIONS}"
    )
    assert image_install.requirements == make_install.requirements


def test_extras_match_the_makefile(
    make_installs: list[PipInstall], image_installs: list[PipInstall]
) -> None:
    make_extras = extras_of(project_install(make_installs).requirements[0])
    image_extras = extras_of(project_install(image_installs).requirements[0])
    assert image_extras == make_extras - IMAGE_LEAVES_OUT.keys()
    assert "serve" in image_extras


def test_dependencies_install_before_the_code_arrives(image: list[Instruction]) -> None:
    installs = [i for i, ins in enumerate(image) if ins.keyword == "RUN" and pip_installs(ins.args)]
    dependency_layer = installs[0]
    assert project_install(pip_installs(image[dependency_layer].args))
    copied_before = [
        src
        for ins in image[:dependency_layer]
        if ins.keyword == "COPY" and "from" not in ins.flags()
        for src in shlex.split(ins.args)[:-1]
        if not src.startswith("--")
    ]
    assert copied_before == ["pyproject.toml"], (
        f"only pyproject.toml may reach the image before the dependency install (anything "
        f"else invalidates that layer on every change): {copied_before}"
    )
    code_copies = [
        i
        for i, ins in enumerate(image)
        if ins.keyword == "COPY" and re.search(r"\b(rabat|service|training|annotation)/", ins.args)
    ]
    assert code_copies and min(code_copies) > dependency_layer


def test_runs_as_a_non_root_user(image: list[Instruction]) -> None:
    users = [ins for ins in image if ins.keyword == "USER"]
    assert users, "the image has no USER: it would run as root"
    assert users[-1].args.split(":")[0] not in {"root", "0"}
    cmd = next(ins for ins in image if ins.keyword == "CMD")
    assert users[-1].line < cmd.line


def test_serves_on_all_interfaces_port_8000(image: list[Instruction]) -> None:
    env = dict(
        pair.split("=", 1)
        for ins in image
        if ins.keyword == "ENV"
        for pair in shlex.split(ins.args)
    )
    assert env["RABAT_HOST"] == "0.0.0.0"
    assert env["RABAT_PORT"] == "8000"
    assert [ins.args for ins in image if ins.keyword == "EXPOSE"] == ["8000"]
    assert next(ins for ins in image if ins.keyword == "CMD").exec_form() == [
        "python",
        "-m",
        "service",
    ]
    (volume,) = [ins for ins in image if ins.keyword == "VOLUME"]
    assert Path(env["RABAT_MODEL_DIR"]).is_relative_to(volume.exec_form()[0])


class _Ready(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/ready" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ready_server() -> Iterator[tuple[int, type[_Ready]]]:
    """A local server whose /ready answers `handler.status` and everything else 404."""
    handler = type("Handler", (_Ready,), {"status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], handler
    server.shutdown()


def _run_check(argv: list[str], port: int) -> int:
    env = {"RABAT_PORT": str(port), "PATH": str(Path(sys.executable).parent), "no_proxy": "*"}
    assert argv[0] == "python"
    return subprocess.run([sys.executable, *argv[1:]], env=env, timeout=30).returncode


def test_healthcheck_passes_only_when_ready(
    image: list[Instruction], compose: dict, ready_server: tuple[int, type[_Ready]]
) -> None:
    (check,) = [ins for ins in image if ins.keyword == "HEALTHCHECK"]
    argv = check.exec_form()
    assert compose["services"]["rabat"]["healthcheck"]["test"] == ["CMD", *argv]
    port, handler = ready_server
    assert _run_check(argv, port) == 0
    handler.status = 503
    assert _run_check(argv, port) != 0


def test_dockerignore_keeps_out_secrets_and_environments_but_not_the_code(
    image: list[Instruction],
) -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p) or path.startswith(p + "/") for p in patterns)

    for path in (".env", ".git", ".venv", ".venv-ls", "models", "runs", "reviews"):
        assert ignored(path), f"{path} reaches the build context"
    copied = [
        src
        for ins in image
        if ins.keyword == "COPY" and "from" not in ins.flags()
        for src in shlex.split(ins.args)[:-1]
        if not src.startswith("--")
    ]
    assert copied and not [src for src in copied if ignored(src.rstrip("/"))]


# --- compose.yaml -------------------------------------------------------------------------------


def test_compose_runs_the_image_with_a_model_volume(
    compose: dict, image: list[Instruction]
) -> None:
    rabat = compose["services"]["rabat"]
    assert rabat["build"] == "."
    assert any(str(port).endswith(":8000") for port in rabat["ports"])
    (volume,) = [ins for ins in image if ins.keyword == "VOLUME"]
    models_dir = volume.exec_form()[0]
    assert mounts(rabat)[models_dir] in compose["volumes"], "the models are not in a named volume"
    assert Path(rabat["environment"]["RABAT_MODEL_DIR"]).is_relative_to(models_dir)


def test_compose_label_studio_matches_the_makefile_pin(compose: dict, makefile: str) -> None:
    pin = makefile_variable(makefile, "LABEL_STUDIO")
    version = pin.split("==")[1]
    studio = compose["services"]["label-studio"]
    assert studio["image"] == f"heartexlabs/label-studio:{version}"
    env = studio["environment"]
    assert env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert env["LABEL_STUDIO_USERNAME"]
    assert studio["healthcheck"]["test"][0] == "CMD"
    assert mounts(studio)["/label-studio/data"] in compose["volumes"]


def test_compose_commits_no_secret(compose: dict) -> None:
    """Passwords and tokens are required variables (`${NAME:?...}`), set in an uncommitted
    .env; .env.example names them without values."""
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    for service in compose["services"].values():
        for name, value in service.get("environment", {}).items():
            if re.search(SECRET_NAMES, name):
                match = re.fullmatch(r"\$\{(\w+)(:\?.+|:-)\}", str(value))
                assert match, f"{name} is not taken from a variable: {value}"
                if match.group(2) != ":-":
                    assert example.get(match.group(1)) == "", (
                        f"{match.group(1)} must be listed in .env.example without a value"
                    )


def test_every_make_target_is_defined_once_and_test_runs_pytest() -> None:
    import re
    from collections import Counter

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = Counter(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    assert [t for t, n in targets.items() if n > 1] == []
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe and "-m pytest" in recipe.group(1)
    assert {"cases", "loadtest", "label-studio"} <= set(targets)
