"""The image's entrypoint: start the service once there is a model to serve, and wait meanwhile.

    python container_entrypoint.py python -m service     # the image's CMD
    python container_entrypoint.py python -c …          # anything else runs at once, as given

`python -m service` exits with status 3 when it cannot load the model, and a restart policy
(compose's `unless-stopped`) would then start it again and again on an empty models volume. So
when RABAT_MODEL_DIR has no `rabat_model.json`, or the service exits 3 (a damaged model, a bad
policy), this waits instead: on RABAT_HOST:RABAT_PORT, `/health` answers 200 and every other path
503 `not_ready` with a message that says what is missing and how to provide a model, so the
container stays up and its health check reports "unhealthy". When the model directory appears or
changes, the service starts (again). Any other exit status ends the container with that status.
SIGTERM and SIGINT go to the service while it runs, and end the wait at once otherwise.

Standard library only: it runs before anything is known about the environment.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

CANNOT_START = 3  # service/__main__.py: start-up failed (model or policy)
POLL_S = 2.0
META_FILE = "rabat_model.json"
# rabat/defaults.py (this file imports nothing of Rabat; tests/test_deploy.py checks they agree)
DEFAULT_MODEL_DIR = "models/rabat-release/latest"
DEFAULT_CONFIG = "configs/retrain.yaml"


def is_service(argv: Sequence[str]) -> bool:
    """`python -m service` (with any interpreter name or path, and any arguments after it)."""
    return (
        len(argv) >= 3
        and Path(argv[0]).name.startswith("python")
        and argv[1:3] == ["-m", "service"]
    )


def fingerprint(model_dir: Path) -> tuple[object, ...] | None:
    """What changes when a model is published or repaired: where the directory resolves to and
    its files' sizes and times. None when there is no model (no `rabat_model.json`)."""
    if not (model_dir / META_FILE).is_file():
        return None
    files = sorted(
        (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
        for entry in model_dir.iterdir()
        if entry.is_file()
    )
    return (str(model_dir.resolve()), *files)


def no_model_message(model_dir: Path) -> str:
    return (
        f"no model at {model_dir} ({META_FILE} missing): waiting for one, the service starts as "
        f"soon as it is there. Train one into the models volume with the retraining job's image, "
        f"`docker compose run --rm retrain python -m training --config {DEFAULT_CONFIG}` (the "
        f"corpora mounted at /app/data there), "
        f"put a directory that `make train` wrote at {model_dir}, or build the image with one "
        f"baked in (`--build-context model=DIR`, see the Dockerfile)."
    )


def cannot_start_message(model_dir: Path, reason: str) -> str:
    return (
        f"the service cannot start: {reason or 'see the log'}. Waiting for {model_dir} to "
        f"change: the service starts again when a model is published or repaired there."
    )


class _Waiting(http.server.BaseHTTPRequestHandler):
    message = ""

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/health":
            self._answer(200, {"status": "waiting", "message": self.message})
        else:
            self._answer(503, {"error": {"code": "not_ready", "message": self.message}})

    do_POST = do_PUT = do_DELETE = do_GET

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 503:
            self.send_header("Retry-After", str(int(POLL_S) + 1))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass  # probes every few seconds: not worth a line each


class Entrypoint:
    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.model_dir = Path(os.environ.get("RABAT_MODEL_DIR", DEFAULT_MODEL_DIR))
        self.host = os.environ.get("RABAT_HOST", "127.0.0.1")
        self.port = int(os.environ.get("RABAT_PORT", "8000"))
        self.stopping = threading.Event()
        self.child: subprocess.Popen[str] | None = None
        self.last_error = ""

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)

    def wait_until(self, message: str, changed_from: tuple[object, ...] | None) -> bool:
        """Serve the waiting answers until the model's fingerprint is set and differs from
        `changed_from`; False when stopped by a signal."""
        print(f"rabat: {message}", file=sys.stderr, flush=True)
        handler = type("Handler", (_Waiting,), {"message": message})
        server = http.server.ThreadingHTTPServer((self.host, self.port), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            while not self.stopping.wait(POLL_S):
                now = fingerprint(self.model_dir)
                if now is not None and now != changed_from:
                    print(f"rabat: a model is at {self.model_dir}: starting", file=sys.stderr)
                    return True
            return False
        finally:
            server.shutdown()
            server.server_close()

    def run_service(self) -> int:
        """Run the service, its stderr passed through and its last line kept."""
        self.child = subprocess.Popen(self.argv, stderr=subprocess.PIPE, text=True, bufsize=1)
        assert self.child.stderr is not None
        for line in self.child.stderr:
            sys.stderr.write(line)
            if line.strip():
                self.last_error = line.strip()
        return self.child.wait()

    def main(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.on_signal)
        seen = fingerprint(self.model_dir)
        if seen is None and not self.wait_until(no_model_message(self.model_dir), None):
            return 0
        while True:
            seen = fingerprint(self.model_dir)
            status = self.run_service()
            if status < 0:  # ended by a signal: report it as a shell would
                return 128 - status
            if status != CANNOT_START or self.stopping.is_set():
                return status
            reason = self.last_error.removeprefix("error: cannot start: ")
            if fingerprint(self.model_dir) is None:
                message, seen = no_model_message(self.model_dir), None
            else:
                message = cannot_start_message(self.model_dir, reason)
            if not self.wait_until(message, seen):
                return 0


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: container_entrypoint.py COMMAND [ARG...]", file=sys.stderr)
        return 2
    if not is_service(argv):
        os.execvp(argv[0], argv)
    return Entrypoint(argv).main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
