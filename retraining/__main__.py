"""`python -m retraining`: pull -> train -> export, as a job of its own (never in the service).

    python -m retraining run                      # one run now (make retrain)
    python -m retraining run --project 3          # pull project 3's reviews first
    python -m retraining watch                    # run what the service asks (make retrain-watch)

`run` trains CONFIG (the default model's config), publishes a new version (training points
`latest` at it) and exports it to ONNX; a service that follows `latest` (RABAT_FOLLOW_MODEL)
swaps it in. It prints the published directory as its last line. `watch` runs the requests that
POST /retrain, Label Studio's "Start training" and RABAT_RETRAIN_EVERY write into DIR; the
service that asked checks the new model and swaps it in.

The pull reads RABAT_LS_URL and RABAT_LS_TOKEN from the environment (`run`) or the request
(`watch`); no step but the pull sees the token, and none sees RABAT_API_KEYS.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from rabat.defaults import DEFAULT_CONFIG
from rabat.store.retrain_queue import PUBLISHED, RetrainQueue, RetrainRequest, new_job_id
from retraining.job import run_job
from retraining.watch import POLL_S, watch

# The service's defaults (RABAT_RETRAIN_LOG_DIR, RABAT_REVIEWS_DIR, RABAT_RETRAIN_TIMEOUT_S).
DEFAULT_DIR = Path("runs/retrain")
DEFAULT_REVIEWS_DIR = Path("reviews")
DEFAULT_TIMEOUT_S = 3 * 3_600.0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    code: int = asyncio.run(_stoppable(args.run(args)))
    return code


async def _stoppable(work: Coroutine[Any, Any, int]) -> int:
    """Run `work` until it ends or SIGTERM/SIGINT arrives (a running step is killed)."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        result: int = await task
        return result
    except asyncio.CancelledError:
        print("stopped", file=sys.stderr)
        return 130


async def _run(args: argparse.Namespace) -> int:
    request = RetrainRequest(
        id=new_job_id(),
        trigger="cli",
        config=str(args.config.absolute()),
        reviews_dir=str(args.reviews_dir.absolute()),
        export=args.export,
        timeout_s=args.timeout_s,
        project=args.project,
        ls_url=os.environ.get("RABAT_LS_URL"),
        ls_token=os.environ.get("RABAT_LS_TOKEN"),
    )
    if not args.config.is_file():
        print(f"error: no training config at {args.config}: pass --config FILE", file=sys.stderr)
        return 2
    status = await run_job(request, RetrainQueue(args.dir))
    if status.state != PUBLISHED:
        print(f"error: {status.error}", file=sys.stderr)
        return 1
    print(status.model_dir)
    return 0


async def _watch(args: argparse.Namespace) -> int:
    await watch(RetrainQueue(args.dir), poll_s=args.poll_s)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m retraining", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="one run now: pull (with --project), train, export")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="the training config")
    run.add_argument("--project", type=int, help="pull this Label Studio project's reviews first")
    run.add_argument("--reviews-dir", type=Path, default=DEFAULT_REVIEWS_DIR)
    run.add_argument(
        "--no-export", dest="export", action="store_false", help="skip the ONNX export"
    )
    run.add_argument("--timeout-s", type=float, default=DEFAULT_TIMEOUT_S)
    run.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="status and log files")
    run.set_defaults(run=_run)
    watched = commands.add_parser("watch", help="run the requests the service writes into --dir")
    watched.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="RABAT_RETRAIN_LOG_DIR")
    watched.add_argument("--poll-s", type=float, default=POLL_S)
    watched.set_defaults(run=_watch)
    return parser


if __name__ == "__main__":
    sys.exit(main())
