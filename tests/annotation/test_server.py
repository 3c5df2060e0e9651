"""`make label-studio`: credentials kept locally, a running server found, a taken port named,
Ctrl-C a clean stop."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from annotation.__main__ import main
from annotation.credentials import api_token, ensure_credentials
from annotation.server import START_TIME, ServerError, check_port, exit_status, launch_plan
from annotation.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_credentials_are_generated_once_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "ls")
    first = ensure_credentials(settings)
    assert ensure_credentials(settings) == first
    assert len(first.token) >= 40 and len(first.password) >= 20
    mode = stat.S_IMODE(settings.credentials_file.stat().st_mode)
    assert mode == 0o600
    assert api_token(settings) == first.token
    assert (
        api_token(load_settings(data_dir=tmp_path / "ls", token="from-env-123")) == "from-env-123"
    )
    with pytest.raises(ValueError, match=r"RABAT_LS_TOKEN.*make label-studio"):
        api_token(load_settings(data_dir=tmp_path / "elsewhere"))


def test_secrets_go_through_the_environment_not_the_command_line(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "ls", bin=Path(__file__))  # any existing file
    plan = launch_plan(settings)
    creds = ensure_credentials(settings)
    assert creds.token not in " ".join(plan.argv) and creds.password not in " ".join(plan.argv)
    assert plan.env["LABEL_STUDIO_USER_TOKEN"] == creds.token
    assert "--enable-legacy-api-token" in plan.argv and settings.host in plan.argv
    with pytest.raises(ServerError, match=r"not installed.*make label-studio"):
        launch_plan(load_settings(data_dir=tmp_path / "ls", bin=tmp_path / "nope"))


def test_a_port_held_by_another_program_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        settings = load_settings(data_dir=tmp_path / "ls", port=port)
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is taken.*RABAT_LS_PORT"):
            check_port(settings)


@pytest.mark.slow
def test_running_it_again_only_says_it_is_running(
    label_studio: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check_port(label_studio) is True
    for name, value in {
        "RABAT_LS_PORT": str(label_studio.port),
        "RABAT_LS_DATA_DIR": str(label_studio.data_dir),
        "RABAT_LS_BIN": str(label_studio.bin),
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["server"]) == 0
    assert "already running" in capsys.readouterr().out


# A stand-in `label-studio start ... --port P`: answers /health and /api/projects for the token
# in its environment, notes its pid and whether it was started with SIGINT ignored, and, like
# Label Studio while it starts, prints a traceback and exits 1 on a SIGINT it does not ignore.
FAKE_LABEL_STUDIO = """\
import http.server, json, os, signal, sys
from pathlib import Path
ready = os.environ.get("FAKE_READY") == "1"
Path(os.environ["FAKE_NOTE"]).write_text(json.dumps(
    {"pid": os.getpid(), "sigint_ignored": signal.getsignal(signal.SIGINT) == signal.SIG_IGN}
))
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        token = os.environ["LABEL_STUDIO_USER_TOKEN"]
        token = self.headers.get("Authorization") == "Token " + token
        body = json.dumps({"status": "UP"} if self.path == "/health" else {"results": []})
        self.send_response(200 if self.path == "/health" or token else 401)
        self.end_headers()
        self.wfile.write(body.encode())
    def log_message(self, *args):
        pass
port = int(sys.argv[sys.argv.index("--port") + 1])
if not ready:
    signal.pause()  # never ready
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def fake_server(tmp_path: Path, ready: bool) -> tuple[subprocess.Popen[str], Path]:
    """`python -m annotation server` on a free port with the fake Label Studio, in a process
    group of its own, as a terminal runs `make label-studio`."""
    fake = tmp_path / "label-studio"
    fake.write_text(f"#!{sys.executable}\n{FAKE_LABEL_STUDIO}")
    fake.chmod(0o755)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "RABAT_LS_BIN": str(fake),
        "RABAT_LS_PORT": str(port),
        "RABAT_LS_DATA_DIR": "ls",  # relative: the messages name it absolute
        "FAKE_NOTE": str(tmp_path / "note.json"),
        "FAKE_READY": "1" if ready else "0",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "annotation", "server"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a shell's background job inherits SIGINT ignored; a terminal's foreground does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    return process, tmp_path / "note.json"


def wait_for(check: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize("ready", [True, False], ids=["after-ready", "while-starting"])
def test_ctrl_c_stops_label_studio_with_one_line_and_status_0(tmp_path: Path, ready: bool) -> None:
    process, note = fake_server(tmp_path, ready)
    try:
        wait_for(note.exists)
        child = json.loads(note.read_text())
        if ready:
            wait_for(lambda: (tmp_path / "ls/credentials.json").exists())
            time.sleep(2.5)  # wait_ready polls each second
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, (out, err)
    assert out.splitlines()[-1] == "Label Studio stopped" and "Traceback" not in err, (out, err)
    assert child["sigint_ignored"], "Label Studio would take the terminal's SIGINT itself"
    assert not Path(f"/proc/{child['pid']}").exists(), "Label Studio was left running"
    assert f"data in {tmp_path / 'ls'})" in out
    if ready:
        assert "is ready" in out and str(tmp_path / "ls/credentials.json") in out
    for line in out.splitlines():  # each path printed is absolute
        assert " ls/" not in line and "(ls" not in line, line


def test_the_start_message_gives_measured_start_times(tmp_path: Path) -> None:
    assert re.fullmatch(
        r"first start \d+-\d+ s, later starts \d+-\d+ s on a 2-core machine", START_TIME
    )


@pytest.mark.parametrize(
    ("code", "status", "said"),
    [
        (0, 0, "Label Studio stopped"),
        (-signal.SIGTERM, 0, "Label Studio stopped"),
        (-signal.SIGINT, 0, "Label Studio stopped"),
        (-signal.SIGKILL, 137, "Label Studio was killed by SIGKILL"),
        (1, 1, "Label Studio exited with status 1: see its output above"),
    ],
)
def test_label_studios_exit_becomes_ours(
    code: int, status: int, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_status(code) == status
    assert capsys.readouterr().out == said + "\n"
