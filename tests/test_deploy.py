"""The Dockerfile and compose.yaml parse, and stay in step with the Makefile: the torch pin, the
extras, the Label Studio version; the image runs as a non-root user, installs its dependencies
before the code arrives, at constraints.txt's versions (which agree with pyproject.toml), builds
without fetching a BuildKit frontend and checks its health on /ready (the check itself is run
here). tests/test_image.py builds and runs the image itself."""

from __future__ import annotations

import fnmatch
import http.server
import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from rabat.defaults import DEFAULT_CONFIG, DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CONSTRAINTS = "constraints.txt"
# Options the image's pip commands may add to the Makefile's, and why: no wheel cache in a
# layer, torch's CPU build (PyPI's Linux wheel of the same version pulls in CUDA) and the tested
# environment's versions.
IMAGE_ONLY_PIP_OPTIONS = {"--no-cache-dir": None, "--extra-index-url": CPU_INDEX, "-c": CONSTRAINTS}
# pip options that take a value
PIP_VALUE_OPTIONS = {
    "--index-url", "-i", "--extra-index-url", "--find-links", "-f", "--constraint", "-c",
}  # fmt: skip
# Extras `make install` has that the serving image leaves out, and why.
IMAGE_LEAVES_OUT = {
    "dev": "tests and linters",
    "train": "retraining is a job of its own, in the image's `retrain` target",
    "annotation": "the pull from Label Studio is that job's first step",
    "score": "batch scoring (python -m scoring) is a job of its own: its code is not in the image",
    "scale": "Ray, for that job on a cluster",
}
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


def build_args(instructions: list[Instruction]) -> dict[str, str]:
    """The default of every `ARG NAME=default` (an ARG without a default is left out)."""
    found = {}
    for ins in instructions:
        if ins.keyword == "ARG" and "=" in ins.args:
            name, _, default = ins.args.partition("=")
            found[name] = " ".join(shlex.split(default))
    return found


def expand(text: str, args: dict[str, str]) -> str:
    """`${NAME}` and `$NAME` replaced by the build arguments' defaults, as a plain build does."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m[1] or m[2], m[0]), text)


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    """The instructions of the last stage, its FROM first."""
    last_from = max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM")
    return instructions[last_from:]


def named_stage(instructions: list[Instruction], name: str) -> list[Instruction]:
    """The instructions of the stage `FROM ... AS name`, its FROM first."""
    froms = [i for i, ins in enumerate(instructions) if ins.keyword == "FROM"]
    for start, end in zip(froms, [*froms[1:], len(instructions)], strict=True):
        if instructions[start].args.split()[-2:] == ["AS", name]:
            return instructions[start:end]
    raise AssertionError(f"the Dockerfile has no stage named {name}")


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
            if args[i] in PIP_VALUE_OPTIONS:
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
def retrain_image(dockerfile: list[Instruction]) -> list[Instruction]:
    return named_stage(dockerfile, "retrain")


@pytest.fixture(scope="module")
def makefile() -> str:
    return (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def make_installs(makefile: str) -> list[PipInstall]:
    return pip_installs(makefile_recipe(makefile, "$(VENV)/.installed"))


@pytest.fixture(scope="module")
def image_installs(dockerfile: list[Instruction], image: list[Instruction]) -> list[PipInstall]:
    """The image's pip commands as a build without --build-arg runs them."""
    args = build_args(dockerfile)
    return [
        p for ins in image if ins.keyword == "RUN" for p in pip_installs(expand(ins.args, args))
    ]


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
        "mkdir a && python -m pip install --quiet --index-url https://x -c c.txt torch==1 'b[c,d]'"
    )
    assert install.options == {"--quiet": None, "--index-url": "https://x", "-c": "c.txt"}
    assert install.requirements == ["torch==1", "b[c,d]"]
    assert extras_of("b[c,d]") == {"c", "d"}


# --- the Dockerfile -----------------------------------------------------------------------------


def test_image_is_python_3_11_slim(dockerfile: list[Instruction], image: list[Instruction]) -> None:
    """By default; `--build-arg BASE_IMAGE=...` takes a stand-in (scripts/podman-setup.sh)."""
    assert expand(image[0].args.split()[0], build_args(dockerfile)) == "python:3.11-slim"


def test_expand_uses_the_arg_defaults() -> None:
    instructions = parse_dockerfile('ARG A=x\nARG B="-y z"\nARG C\nFROM a\n')
    assert build_args(instructions) == {"A": "x", "B": "-y z"}
    assert expand("${A} $B $C", build_args(instructions)) == "x -y z $C"


def test_builds_without_fetching_a_frontend() -> None:
    """A `# syntax=` directive makes BuildKit pull that frontend from Docker Hub first (an
    offline build fails on line 1); without it, only what standard BuildKit and buildah read
    may be used: RUN --mount of bind, secret and cache, and no heredocs."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert not re.search(r"^#\s*syntax\s*=", text, re.M | re.I)
    for ins in parse_dockerfile(text):
        assert "<<" not in ins.args, f"line {ins.line}: a heredoc needs the labs frontend"
        for kind in re.findall(r"--mount=type=(\w+)", ins.args):
            assert kind in {"bind", "secret", "cache"}, f"line {ins.line}: --mount=type={kind}"


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


def copied_packages(stage: list[Instruction]) -> set[str]:
    """The top-level folders a stage copies from the build context."""
    return {
        src.rstrip("/")
        for ins in stage
        if ins.keyword == "COPY" and "from" not in ins.flags()
        for src in shlex.split(ins.args)[:-1]
        if src.endswith("/") and not src.startswith("--")
    }


def test_the_serving_image_holds_the_service_only(image: list[Instruction]) -> None:
    """No training, annotation, retraining or scoring code: the service asks the retraining job
    for new models (and imports none of it, tests/test_architecture.py)."""
    assert copied_packages(image) == {"rabat", "service", "configs"}


def test_the_retrain_target_runs_the_job_with_its_extras(
    dockerfile: list[Instruction],
    retrain_image: list[Instruction],
    image: list[Instruction],
    make_installs: list[PipInstall],
) -> None:
    args = build_args(dockerfile)
    installs = [
        p
        for ins in retrain_image
        if ins.keyword == "RUN"
        for p in pip_installs(expand(ins.args, args))
    ]
    assert extras_of(project_install(installs).requirements[0]) == {"train", "annotation"}
    assert torch_pin(installs)[0] == torch_pin(make_installs)[0]
    assert all(i.options.get("-c") == CONSTRAINTS for i in installs if "--no-deps" not in i.options)
    assert copied_packages(retrain_image) == {
        "rabat",
        "training",
        "annotation",
        "retraining",
        "configs",
        "release",  # configs/retrain.yaml continues from the released model
    }
    users = [ins.args for ins in retrain_image if ins.keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    (cmd,) = [ins.exec_form() for ins in retrain_image if ins.keyword == "CMD"]
    assert cmd[:4] == ["python", "-m", "retraining", "watch"]
    assert cmd[cmd.index("--dir") + 1] == image_env(image)["RABAT_RETRAIN_LOG_DIR"]


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
    assert copied_before == ["pyproject.toml", CONSTRAINTS], (
        f"only pyproject.toml and {CONSTRAINTS} may reach the image before the dependency install "
        f"(anything else invalidates that layer on every change): {copied_before}"
    )
    code_copies = [
        i
        for i, ins in enumerate(image)
        if ins.keyword == "COPY" and re.search(r"\b(rabat|service|training|annotation)/", ins.args)
    ]
    assert code_copies and min(code_copies) > dependency_layer


def test_every_dependency_install_takes_the_constraints(
    image_installs: list[PipInstall],
) -> None:
    resolving = [i for i in image_installs if "--no-deps" not in i.options]
    assert len(resolving) >= 3, resolving  # pip itself, torch, the project's dependencies
    for install in resolving:
        assert install.options.get("-c") == CONSTRAINTS, install


def test_runs_as_a_non_root_user(image: list[Instruction]) -> None:
    users = [ins for ins in image if ins.keyword == "USER"]
    assert users, "the image has no USER: it would run as root"
    assert users[-1].args.split(":")[0] not in {"root", "0"}
    cmd = next(ins for ins in image if ins.keyword == "CMD")
    assert users[-1].line < cmd.line


def image_env(image: list[Instruction]) -> dict[str, str]:
    """The variables the image's `ENV` instructions set."""
    return dict(
        pair.split("=", 1)
        for ins in image
        if ins.keyword == "ENV"
        for pair in shlex.split(ins.args)
    )


def test_serves_on_all_interfaces_port_8000(image: list[Instruction]) -> None:
    env = image_env(image)
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


# --- constraints.txt -----------------------------------------------------------------------------


def read_constraints(path: Path) -> dict[str, Version]:
    """`name==version` lines (comments and blank lines skipped), keyed by normalised name."""
    found = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][\w.-]*)==(\S+)", line)
        assert match, f"{path.name}:{number}: not NAME==VERSION: {line}"
        found[canonicalize_name(match[1])] = Version(match[2])
    return found


def project_requirements(extras: set[str]) -> list[Requirement]:
    """pyproject's dependencies and those of `extras`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in sorted(extras):
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


@pytest.fixture(scope="module")
def constraints() -> dict[str, Version]:
    return read_constraints(ROOT / CONSTRAINTS)


def test_constraints_agree_with_pyproject(
    constraints: dict[str, Version], image_installs: list[PipInstall]
) -> None:
    """Every dependency the image installs is pinned, at a version pyproject admits: after a
    change to pyproject.toml, `make install` and scripts/constraints.sh bring them together."""
    extras = extras_of(project_install(image_installs).requirements[0])
    for requirement in project_requirements(extras):
        if requirement.marker and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in constraints, (
            f"{requirement} is not in {CONSTRAINTS}: regenerate it (scripts/constraints.sh)"
        )
        assert requirement.specifier.contains(constraints[name], prereleases=True), (
            f"{CONSTRAINTS} pins {name}=={constraints[name]}, which pyproject's {requirement} "
            "does not admit: regenerate it (scripts/constraints.sh)"
        )


def test_constraints_pin_torch_cpu_at_the_makefile_pin(
    constraints: dict[str, Version], make_installs: list[PipInstall]
) -> None:
    make_pin, _ = torch_pin(make_installs)
    torch = constraints["torch"]
    assert torch.public == make_pin.split("==")[1]
    assert torch.local == "cpu", f"torch {torch} is not the CPU build"


def test_read_constraints_refuses_a_range(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("# comment\nPyYAML==6.0.2\n\n", encoding="utf-8")
    assert read_constraints(path) == {"pyyaml": Version("6.0.2")}
    path.write_text("a>=1\n", encoding="utf-8")
    with pytest.raises(AssertionError, match=r"c\.txt:1: not NAME==VERSION"):
        read_constraints(path)


def test_constraints_script_writes_the_environment_less_the_project(tmp_path: Path) -> None:
    """scripts/constraints.sh on a stand-in environment whose pip prints a known freeze."""
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "Python 3.11.9"; exit 0; fi\n'
        "printf 'zlib-ng==1.0\\nrabat @ file:///w\\nTorch==2.13.0+cpu\\npip==26.3\\n'\n",
        encoding="utf-8",
    )
    python.chmod(0o755)
    out = tmp_path / "constraints.txt"
    env = {"PATH": "/usr/bin:/bin", "VENV": str(python.parents[1]), "OUT": str(out)}
    subprocess.run(["bash", str(ROOT / "scripts/constraints.sh")], env=env, check=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "pip==26.3",
        "Torch==2.13.0+cpu",
        "zlib-ng==1.0",
    ]
    assert any("Python 3.11.9" in line for line in lines)
    env["VENV"] = str(tmp_path / "missing")
    failed = subprocess.run(
        ["bash", str(ROOT / "scripts/constraints.sh")], env=env, capture_output=True, text=True
    )
    assert failed.returncode == 1 and "make install" in failed.stderr


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


def test_compose_runs_the_retraining_job_beside_the_service(
    compose: dict, image: list[Instruction]
) -> None:
    """The job sees the service's requests (the `runs` volume) and publishes where the service
    reads its model (the `models` volume)."""
    rabat, retrain = compose["services"]["rabat"], compose["services"]["retrain"]
    assert retrain["build"] == {"context": ".", "target": "retrain"}
    shared = {
        target: source for target, source in mounts(rabat).items() if source in compose["volumes"]
    }
    assert shared.items() <= mounts(retrain).items() and {"models", "runs"} <= set(shared.values())
    requests = Path(rabat["environment"]["RABAT_RETRAIN_LOG_DIR"])
    assert requests == Path(image_env(image)["RABAT_RETRAIN_LOG_DIR"])
    assert any(requests.is_relative_to(t) for t, s in shared.items() if s == "runs")
    assert "/app/data" in mounts(retrain) and "/app/data" not in mounts(rabat)


def test_an_empty_model_volume_waits_instead_of_restarting(
    compose: dict, image: list[Instruction]
) -> None:
    """`restart: unless-stopped` would restart a service that exits 3 without a model again and
    again: the image's entrypoint waits instead (tests/test_container_entrypoint.py), and
    compose keeps it."""
    rabat = compose["services"]["rabat"]
    assert rabat["restart"] == "unless-stopped"
    assert "entrypoint" not in rabat and "command" not in rabat
    (entrypoint,) = [ins.exec_form() for ins in image if ins.keyword == "ENTRYPOINT"]
    assert entrypoint[0] == "python"
    copies = [shlex.split(ins.args) for ins in image if ins.keyword == "COPY"]
    assert ["scripts/container_entrypoint.py", entrypoint[1]] in copies


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


def test_image_check_target_runs_the_script(makefile: str) -> None:
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", makefile, re.M)
    assert phony and "image-check" in phony[1].replace("\\", " ").split()
    recipe = makefile_recipe(makefile, "image-check")
    assert "scripts/podman-setup.sh" in recipe and "scripts/image-check.sh" in recipe
    assert (ROOT / "scripts/image-check.sh").is_file()


@pytest.mark.parametrize(
    "script", ["image-check.sh", "podman-setup.sh", "constraints.sh", "system-deps.sh"]
)
def test_shell_scripts_parse(script: str) -> None:
    checked = subprocess.run(["bash", "-n", str(ROOT / "scripts" / script)], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()


# --- the default model, spelt out where Python cannot import it ---------------------------------


def shell_default(script: str, name: str) -> str:
    """The default of `NAME=${NAME:-value}` in a shell script."""
    text = (ROOT / script).read_text(encoding="utf-8")
    match = re.search(rf"^{name}=\$\{{{name}:-([^}}]+)\}}", text, re.M)
    assert match, f"{script} sets no default for {name}"
    return match.group(1)


def test_every_default_names_the_model_of_rabat_defaults(
    makefile: str, image: list[Instruction], compose: dict
) -> None:
    """rabat/defaults.py is the source; the files that cannot import it must say the same."""
    assert makefile_variable(makefile, "CONFIG") == str(DEFAULT_CONFIG)
    assert makefile_variable(makefile, "MODEL") == str(DEFAULT_MODEL_DIR)
    assert (
        "\nDEFAULT_MODEL=" + str(DEFAULT_MODEL_DIR) + "  " in (ROOT / "scripts/run.sh").read_text()
    )
    assert shell_default("scripts/image-check.sh", "MODEL") == str(DEFAULT_MODEL_DIR)
    in_image = f"/app/{DEFAULT_MODEL_DIR}"
    assert image_env(image)["RABAT_MODEL_DIR"] == in_image
    assert compose["services"]["rabat"]["environment"]["RABAT_MODEL_DIR"] == in_image
    assert f"IN_IMAGE_MODEL={in_image}\n" in (ROOT / "scripts/image-check.sh").read_text()
    baked = [
        shlex.split(ins.args)[-1]
        for ins in image
        if ins.keyword == "COPY" and "--from=model" in ins.args
    ]
    assert baked == [f"{Path(in_image).parent}/baked/"], "the baked model is not where `latest` is"
    entrypoint = (ROOT / "scripts/container_entrypoint.py").read_text(encoding="utf-8")
    assert f'DEFAULT_MODEL_DIR = "{DEFAULT_MODEL_DIR}"' in entrypoint
    assert f'DEFAULT_CONFIG = "{DEFAULT_CONFIG}"' in entrypoint
