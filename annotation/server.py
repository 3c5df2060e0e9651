"""`make label-studio`: the bundled Label Studio on loopback, with its own data folder and an
admin whose password and API token come from the local credentials file.

Running it again while it runs only says so; a port held by another program is a clear error.
Label Studio lives in its own environment (`.venv-ls`): its pinned dependencies (Django and
friends) stay out of Rabat's.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from annotation.credentials import Credentials, ensure_credentials
from annotation.settings import Settings


class ServerError(RuntimeError):
    """Label Studio cannot be started; the message says why and what to do."""


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    env: dict[str, str]
    url: str


def launch_plan(settings: Settings) -> Launch:
    """The command and environment that start Label Studio for these settings."""
    if not settings.bin.is_file():
        raise ServerError(
            f"Label Studio is not installed at {settings.bin}: run `make label-studio` (it "
            "installs it into .venv-ls), or set RABAT_LS_BIN to a label-studio command"
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
    """Start Label Studio (or find it running) and report where; foreground unless `detach`."""
    if check_port(settings):
        print(f"Label Studio is already running at {settings.base_url}")
        return 0
    plan = launch_plan(settings)
    log = settings.data_dir / "label-studio.log"
    output = log.open("ab") if detach else None
    process = subprocess.Popen(
        plan.argv,
        env=plan.env,
        stdout=output,
        stderr=subprocess.STDOUT if detach else None,
        start_new_session=detach,
    )
    print(f"starting Label Studio at {plan.url} (about 40 s; data in {settings.data_dir})")
    try:
        wait_ready(
            plan.url,
            ensure_credentials(settings),
            settings.start_timeout_s,
            lambda: process.poll() is None,
        )
    except ServerError:
        process.terminate()
        raise
    print(
        f"Label Studio is ready at {plan.url}: log in as {settings.username}; the password and "
        f"API token are in {settings.credentials_file}"
    )
    if detach:
        print(f"running in the background (pid {process.pid}, log {log})")
        return 0
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()
