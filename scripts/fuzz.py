"""Schema fuzzing of the real service: schemathesis against its own /openapi.json.

    .venv/bin/python scripts/fuzz.py --model models/rabat-minilm/latest --max-examples 200

Fails (exit code non-zero) if any generated request gets a 5xx (`not_a_server_error`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from serving import running_service

from rabat.defaults import DEFAULT_MODEL_DIR


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--max-examples", type=int, default=200)
    args = parser.parse_args()
    # POST /retrain would start a real training run: no retraining config, so it answers 409.
    with running_service(args.model, RABAT_RETRAIN_CONFIG="/nonexistent.yaml") as service:
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{service.url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(args.max_examples),
            "--workers",
            "1",
            "--suppress-health-check",
            "all",
        ]
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
