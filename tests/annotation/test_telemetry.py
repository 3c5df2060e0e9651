"""The Label Studio that `make label-studio` starts sends nothing out: no Sentry (backend or
browser), no usage analytics, no version check on pypi.org; RABAT_LS_TELEMETRY=on restores
Label Studio's own defaults."""

from __future__ import annotations

import http.cookiejar
import json
import socket
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from annotation.credentials import ensure_credentials
from annotation.server import TELEMETRY_OFF, ServerError, launch_plan, stop, wait_ready
from annotation.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
LS_BIN = ROOT / ".venv-ls/bin/label-studio"
LS_PYTHON = ROOT / ".venv-ls/bin/python"
# where Label Studio 1.23.2's telemetry goes (its sources name each one)
TELEMETRY_HOSTS = (
    "sentry.io",
    "sentry-cdn.com",
    "tele.labelstud.io",
    "pypi.org",
    "googletagmanager.com",
    "google-analytics.com",
)
needs_label_studio = pytest.mark.skipif(
    not LS_BIN.is_file(), reason="Label Studio is not installed in .venv-ls (make label-studio)"
)


def plan_env(tmp_path: Path) -> dict[str, str]:
    return launch_plan(load_settings(data_dir=tmp_path / "ls", bin=Path(__file__))).env


def test_label_studio_starts_with_its_telemetry_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RABAT_LS_TELEMETRY", raising=False)
    # the caller's own settings lose: Label Studio reads LABEL_STUDIO_<NAME> before <NAME>
    monkeypatch.setenv("SENTRY_DSN", "https://key@o1.ingest.sentry.io/1")
    monkeypatch.setenv("LABEL_STUDIO_COLLECT_ANALYTICS", "true")
    env = plan_env(tmp_path)
    assert {name: env[name] for name in TELEMETRY_OFF} == {
        "LABEL_STUDIO_SENTRY_DSN": "",
        "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
        "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
    }
    monkeypatch.setenv("RABAT_LS_TELEMETRY", "off")
    assert plan_env(tmp_path)["LABEL_STUDIO_SENTRY_DSN"] == ""


def test_telemetry_on_leaves_label_studios_defaults_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in TELEMETRY_OFF:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LABEL_STUDIO_COLLECT_ANALYTICS", "true")
    monkeypatch.setenv("RABAT_LS_TELEMETRY", "on")
    env = plan_env(tmp_path)
    assert [name for name in TELEMETRY_OFF if name in env] == ["LABEL_STUDIO_COLLECT_ANALYTICS"]
    assert env["LABEL_STUDIO_COLLECT_ANALYTICS"] == "true"
    monkeypatch.setenv("RABAT_LS_TELEMETRY", "maybe")
    with pytest.raises(ServerError, match="RABAT_LS_TELEMETRY must be on or off"):
        plan_env(tmp_path)


def test_compose_runs_label_studio_with_the_same_switches() -> None:
    """compose.yaml's Label Studio: each switch defaults to off, .env may turn it on."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    env = compose["services"]["label-studio"]["environment"]
    assert {name: env.get(name) for name in TELEMETRY_OFF} == {
        name: f"${{{name}:-{value}}}" for name, value in TELEMETRY_OFF.items()
    }


def label_studio_settings(env: dict[str, str]) -> dict[str, object]:
    """Label Studio's own settings module, evaluated in its environment with `env`."""
    code = (
        "import json, os, sys, label_studio, django.conf as c\n"
        "sys.path.insert(0, os.path.dirname(label_studio.__file__))\n"  # as its server.py does
        "s = c.settings\n"
        "print(json.dumps({n: getattr(s, n) for n in ('SENTRY_DSN', 'FRONTEND_SENTRY_DSN',"
        " 'COLLECT_ANALYTICS', 'LATEST_VERSION_CHECK')}))\n"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "label_studio.core.settings.label_studio"}
    out = subprocess.run(
        [str(LS_PYTHON), "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    found: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return found


@pytest.mark.slow
@needs_label_studio
def test_label_studios_settings_read_the_switches_as_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RABAT_LS_TELEMETRY", raising=False)
    assert label_studio_settings(plan_env(tmp_path)) == {
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "COLLECT_ANALYTICS": False,
        "LATEST_VERSION_CHECK": False,
    }
    monkeypatch.setenv("RABAT_LS_TELEMETRY", "on")
    for name in TELEMETRY_OFF:
        monkeypatch.delenv(name, raising=False)
    defaults = label_studio_settings(plan_env(tmp_path))  # what the switch restores
    assert "sentry.io" in str(defaults["SENTRY_DSN"])
    assert "sentry.io" in str(defaults["FRONTEND_SENTRY_DSN"])
    assert defaults["COLLECT_ANALYTICS"] is True and defaults["LATEST_VERSION_CHECK"] is True


class Recorder:
    """A stand-in HTTP(S) proxy on loopback that records the first line of each request (a
    CONNECT host:443 for HTTPS) and answers nothing: with HTTP(S)_PROXY pointing at it, every
    outbound attempt by requests, urllib3 or sentry_sdk shows up here."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.seen: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self.seen.append(conn.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace"))
                except OSError as err:
                    self.seen.append(f"(unreadable: {err})")


@pytest.fixture
def own_label_studio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Settings, subprocess.Popen[bytes], Recorder]]:
    """A real Label Studio started from launch_plan, its outbound traffic sent to a Recorder."""
    monkeypatch.delenv("RABAT_LS_TELEMETRY", raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(port=port, data_dir=tmp_path / "ls", bin=LS_BIN)
    plan = launch_plan(settings)
    recorder = Recorder()
    proxies = {
        name: recorder.url
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")
    }
    # DEBUG: urllib3 logs each connection it opens ("Starting new HTTPS connection")
    env = {**plan.env, **proxies, "NO_PROXY": "", "no_proxy": "", "LOG_LEVEL": "DEBUG"}
    log = settings.data_dir / "label-studio.log"
    with log.open("wb") as out:
        process = subprocess.Popen(plan.argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        try:
            wait_ready(
                plan.url,
                ensure_credentials(settings),
                settings.start_timeout_s,
                lambda: process.poll() is None,
            )
        except ServerError as err:
            pytest.fail(f"{err}\n{log.read_text(errors='replace')[-3000:]}")
        yield settings, process, recorder
    finally:
        stop(process)
        recorder.sock.close()


@pytest.mark.slow
@needs_label_studio
def test_a_started_label_studio_reaches_no_telemetry_host(
    own_label_studio: tuple[Settings, subprocess.Popen[bytes], Recorder],
) -> None:
    settings, process, recorder = own_label_studio
    environ = dict(
        item.split("=", 1)
        for item in Path(f"/proc/{process.pid}/environ").read_text().split("\0")
        if "=" in item
    )
    assert {name: environ.get(name) for name in TELEMETRY_OFF} == TELEMETRY_OFF

    creds = ensure_credentials(settings)
    base = settings.base_url
    token = {"Authorization": f"Token {creds.token}"}
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),  # the test's own requests go straight to loopback
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
    )

    def call(path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> str:
        request = urllib.request.Request(base + path, data=data, headers=headers or {})
        with opener.open(request, timeout=60) as response:
            return str(response.read().decode())

    # API calls, as the review loop makes them
    project = json.loads(
        call(
            "/api/projects",
            json.dumps({"title": "telemetry", "label_config": LABEL_CONFIG}).encode(),
            {**token, "Content-Type": "application/json"},
        )
    )
    call(f"/api/projects/{project['id']}/import", TASKS, {**token, "Content-Type": JSON})
    call(f"/api/projects/{project['id']}/tasks?page_size=10", headers=token)
    # a browser's: the login page, a logged-in page, and the analytics beacon the bundle sends
    login = call("/user/login/")
    csrf = login.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    form = {"csrfmiddlewaretoken": csrf, "email": creds.username, "password": creds.password}
    page = call("/user/login/", urllib.parse.urlencode(form).encode(), {"Referer": base})
    assert "sentry_dsn: null" in page and "collect_analytics: false" in page, page[:500]
    for html in (login, page):
        assert not [host for host in TELEMETRY_HOSTS if host in html]
    event = json.dumps({"event": "test", "url": f"{base}/projects"})
    call("/__lsa/?" + urllib.parse.urlencode({"__": event}))

    stop(process)
    log = (settings.data_dir / "label-studio.log").read_text(errors="replace")
    assert "Starting new HTTP" not in log, "Label Studio opened an outbound connection"
    assert not [host for host in TELEMETRY_HOSTS if host in log]
    assert recorder.seen == [], "outbound requests through the proxy"


JSON = "application/json"
LABEL_CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text">' + (
    '<Choice value="a"/><Choice value="b"/></Choices></View>'
)
TASKS = json.dumps([{"text": "one"}, {"text": "two"}]).encode()
