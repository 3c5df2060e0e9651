"""`make label-studio`: the bundled Label Studio on loopback, with its own data folder and an
admin whose password and API token come from the local credentials file.

Running it again while it runs only says so; a port held by another program is a clear error.
Label Studio lives in its own environment (`.venv-ls`): its pinned dependencies (Django and
friends) stay out of Rabat's. Its telemetry is off unless RABAT_LS_TELEMETRY=on (`TELEMETRY_OFF`).
Ctrl-C stops it: one line, exit status 0.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from annotation.credentials import Credentials, ensure_credentials
from annotation.settings import Settings

TELEMETRY_SWITCH = "RABAT_LS_TELEMETRY"

# What Label Studio 1.23.2 sends out on its own, each switched off. It reads every setting with
# get_env (label_studio/core/utils/params.py), which tries LABEL_STUDIO_<NAME>, then HEARTEX_<NAME>,
# then <NAME>: the prefixed names win over any bare SENTRY_DSN etc. in the caller's environment.
# get_env counts an empty value as set (it tests `is not None`), and both Sentry switches test
# the DSN for truth, so "" turns off the DSNs that core/settings/label_studio.py defaults to.
TELEMETRY_OFF = {
    # backend errors and traces to o227124.ingest.sentry.io: `if settings.SENTRY_DSN:` guards
    # sentry_sdk.init in core/utils/sentry.py (init_sentry, run by core/settings/label_studio.py)
    "LABEL_STUDIO_SENTRY_DSN": "",
    # the browser's Sentry: templates/base.html loads browser.sentry-cdn.com and passes
    # sentry_dsn only `{% if settings.FRONTEND_SENTRY_DSN %}`; the bundle inits on a defined DSN
    "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
    # usage events to tele.labelstud.io (core/utils/contextlog.py, `dont_send`) and the Google
    # Analytics tag on the login pages (users/templates/users/*user_base.html)
    "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
    # the pypi.org query at every start (core/utils/common.py, check_for_the_latest_version)
    "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
}

# Measured with .venv-ls's Label Studio 1.23.2 on this project's 2-core build machine.
START_TIME = "first start 70-80 s, later starts 5-10 s on a 2-core machine"


class ServerError(RuntimeError):
    """Label Studio cannot be started; the message says why and what to do."""


def telemetry_on(environ: Mapping[str, str] = os.environ) -> bool:
    """RABAT_LS_TELEMETRY=on leaves Label Studio's own telemetry defaults alone; off (default)."""
    value = environ.get(TELEMETRY_SWITCH, "").strip().lower()
    if value in ("", "off", "0", "false", "no"):
        return False
    if value in ("on", "1", "true", "yes"):
        return True
    raise ServerError(f"{TELEMETRY_SWITCH} must be on or off, not {value!r}")


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    env: dict[str, str]
    url: str


def launch_plan(settings: Settings) -> Launch:
    """The command and environment that start Label Studio for these settings."""
    if not settings.bin.is_file():
        raise ServerError(
            f"Label Studio is not installed at {settings.bin.absolute()}: run `make label-studio` "
            "(it installs it into .venv-ls), or set RABAT_LS_BIN to a label-studio command"
        )
    creds = ensure_credentials(settings)
    data = (settings.data_dir / "data").resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        # Secrets travel in the environment, never on the command line (`ps` shows that).
        "LABEL_STUDIO_USERNAME": creds.username,
        "LABEL_STUDIO_PASSWORD": creds.password,
        "LABEL_STUDIO_USER_TOKEN": creds.token,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        # Rabat's service, Label Studio's ML backend, runs on loopback too: allow local ML
        # backend URLs and the webhooks Label Studio creates for them.
        "ML_BLOCK_LOCAL_IP": "false",
        "SSRF_PROTECTION_ENABLED": "false",
        **({} if telemetry_on() else TELEMETRY_OFF),
    }
    argv = [
        str(settings.bin),
        "start",
        "--no-browser",
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--enable-legacy-api-token",
    ]
    return Launch(argv, env, f"http://{settings.host}:{settings.port}")


def port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def is_our_label_studio(url: str, creds: Credentials) -> bool:
    """True when `url` answers as Label Studio and accepts our token."""
    request = urllib.request.Request(
        f"{url}/api/projects?page_size=1", headers={"Authorization": f"Token {creds.token}"}
    )
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            if json.load(response).get("status") != "UP":
                return False
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def check_port(settings: Settings) -> bool:
    """False when the port is free; True when our Label Studio already runs there.
    Raises ServerError when something else holds it."""
    if not port_taken(settings.host, settings.port):
        return False
    url = f"http://{settings.host}:{settings.port}"
    if is_our_label_studio(url, ensure_credentials(settings)):
        return True
    raise ServerError(
        f"port {settings.port} on {settings.host} is taken by another program (it does not "
        f"answer as this Label Studio with our token). Stop it, or pick another port: "
        f"`make label-studio RABAT_LS_PORT={settings.port + 1}` (then set the same "
        "RABAT_LS_PORT for `python -m annotation`)."
    )


def wait_ready(url: str, creds: Credentials, timeout_s: float, alive: Callable[[], bool]) -> None:
    """Poll until Label Studio answers with our token; ServerError on timeout or exit."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not alive():
            raise ServerError("Label Studio exited while starting: see its output above")
        if is_our_label_studio(url, creds):
            return
        time.sleep(1.0)
    raise ServerError(f"Label Studio did not become ready at {url} within {timeout_s:g} s")


def serve(settings: Settings, detach: bool = False) -> int:
    """Start Label Studio (or find it running) and report where; foreground unless `detach`.

    Ctrl-C (or SIGTERM/SIGHUP to this process) stops it and returns 0: Label Studio starts with
    SIGINT ignored (Python keeps an inherited SIG_IGN), so the terminal's Ctrl-C raises
    KeyboardInterrupt only here, and Label Studio gets one SIGTERM from us, on which it exits
    silently at any stage. (On SIGINT Label Studio 1.23.2 exits 0 once it serves, but prints a
    KeyboardInterrupt traceback and dies of the signal while it starts; and a SIGTERM racing its
    own exit made the status -15, which make reported as "Error 241".)"""
    try:
        with _signals_interrupt():
            if check_port(settings):
                print(f"Label Studio is already running at {settings.base_url}")
                return 0
            plan = launch_plan(settings)
    except KeyboardInterrupt:
        print("Label Studio not started")
        return 0
    data_dir = settings.data_dir.absolute()
    log = data_dir / "label-studio.log"
    output = log.open("ab") if detach else None
    process = subprocess.Popen(
        plan.argv,
        env=plan.env,
        stdout=output,
        stderr=subprocess.STDOUT if detach else None,
        start_new_session=detach,
        preexec_fn=None if detach else _ignore_sigint,
    )
    try:
        with _signals_interrupt():
            print(f"starting Label Studio at {plan.url} ({START_TIME}; data in {data_dir})")
            try:
                wait_ready(
                    plan.url,
                    ensure_credentials(settings),
                    settings.start_timeout_s,
                    lambda: process.poll() is None,
                )
            except ServerError:
                stop(process)
                raise
            print(
                f"Label Studio is ready at {plan.url}: log in as {settings.username}; the "
                f"password and API token are in {settings.credentials_file.absolute()}"
            )
            if detach:
                print(f"running in the background (pid {process.pid}, log {log})")
                return 0
            return exit_status(process.wait())
    except KeyboardInterrupt:
        try:
            stop(process)
        except KeyboardInterrupt:  # a second Ctrl-C: no more waiting
            process.kill()
            process.wait()
        print("Label Studio stopped")
        return 0


def stop(process: subprocess.Popen[bytes], grace_s: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it is still there after `grace_s`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def exit_status(code: int) -> int:
    """Label Studio's exit, as ours: a stop by SIGINT/SIGTERM (from anyone) is a success."""
    if code == 0 or -code in (signal.SIGINT, signal.SIGTERM):
        print("Label Studio stopped")
        return 0
    if code < 0:
        print(f"Label Studio was killed by {signal.Signals(-code).name}")
        return 128 - code
    print(f"Label Studio exited with status {code}: see its output above")
    return code


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise KeyboardInterrupt here, like SIGINT, so that Label Studio is
    stopped with us rather than left running."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers
        return
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
