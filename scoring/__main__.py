"""`python -m scoring IN OUT` (`make score IN=... OUT=...`): score a file of texts.

    python -m scoring posts.parquet scored.parquet --report report.html
    python -m scoring posts.jsonl scored.jsonl --engine ray --address auto
    python -m scoring posts.jsonl scored.jsonl --model models/rabat-minilm/latest \
        --route-model models/rabat-release/latest    # English text to the English model

Exit status: 0 done, 2 the command or the input cannot be used as given (the message says why),
130 interrupted (run the same command again to continue).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from rabat.defaults import DEFAULT_MODEL_DIR
from scoring.inputs import FileFormatError, Limits
from scoring.job import BACKENDS, DEFAULT_POLICY, Job, JobError
from scoring.staging import ResumeError

logger = logging.getLogger("scoring")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m scoring", description=__doc__.splitlines()[0])
    p.add_argument("input", type=Path, help="JSON lines, CSV or Parquet with a `text` column")
    p.add_argument("output", type=Path, help="results: .parquet or .jsonl")
    p.add_argument(
        "--model",
        type=Path,
        default=Path(os.environ.get("RABAT_MODEL_DIR", DEFAULT_MODEL_DIR)),
        help=f"model directory (default $RABAT_MODEL_DIR or {DEFAULT_MODEL_DIR})",
    )
    p.add_argument(
        "--route-model",
        type=Path,
        default=_env_path("RABAT_ROUTE_MODEL_DIR"),
        help="a second model for the texts not in --route-languages, e.g. the multilingual one "
        "(default $RABAT_ROUTE_MODEL_DIR; none: one model scores everything)",
    )
    p.add_argument(
        "--route-languages",
        default=os.environ.get("RABAT_ROUTE_LANGUAGES", "en"),
        help="comma-separated languages --model scores when routing (default en)",
    )
    p.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="Rabat policy YAML")
    p.add_argument("--rejects", type=Path, help="bad rows (default OUT's name + .rejects.jsonl)")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", help="Ray cluster: auto, or ray://host:port (default: local)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes/actors")
    p.add_argument("--chunk-rows", type=int, default=1000, help="rows per part (and batch)")
    p.add_argument("--max-chars", type=int, default=Limits().max_chars, help="longest text")
    p.add_argument("--id-column", default="id", help="the column that names each row")
    p.add_argument("--keep", help="comma-separated columns to keep (default: all but text)")
    p.add_argument("--backend", choices=BACKENDS, default="onnx-int8")
    p.add_argument("--report", type=Path, help="write the early-warning summary (HTML) here")
    p.add_argument("--timestamp-column", default="timestamp", help="for the report's daily view")
    p.add_argument("--restart", action="store_true", help="discard an unfinished run's parts")
    p.add_argument("--overwrite", action="store_true", help="replace a finished output")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    keep = None if args.keep is None else tuple(c.strip() for c in args.keep.split(",") if c)
    try:
        job = Job(
            input=args.input,
            output=args.output,
            model_dir=args.model,
            policy=args.policy,
            rejects=args.rejects,
            workers=args.workers,
            chunk_rows=args.chunk_rows,
            limits=Limits(args.max_chars, args.id_column, keep),
            backend=args.backend,
            route_model_dir=args.route_model,
            route_languages=tuple(c.strip() for c in args.route_languages.split(",") if c.strip()),
            restart=args.restart,
            overwrite=args.overwrite,
            progress=not args.no_progress,
        )
        result = _run(job, args.engine, args.address)
    except (FileFormatError, JobError, ResumeError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: the parts scored so far are kept; run the same command again to "
            "continue where it stopped",
            file=sys.stderr,
        )
        return 130
    print(
        f"scored {result.scored:,} texts, rejected {result.rejected:,}, in "
        f"{result.seconds:.1f} s ({result.texts_per_second:.0f} texts/s) -> {result.output}"
        + (f"; rejects -> {result.rejects}" if result.rejected else "")
    )
    if args.report is not None:
        from scoring.report import write_report

        write_report(result.output, args.report, timestamp_column=args.timestamp_column)
        print(f"report -> {args.report}")
    return 0


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _run(job: Job, engine: str, address: str | None):  # type: ignore[no-untyped-def]
    if engine == "ray":
        from scoring.ray_engine import run_ray

        return run_ray(job, address)
    if address is not None:
        raise JobError("--address is for --engine ray; the local engine runs on this machine")
    from scoring.local import run_local

    return run_local(job)


if __name__ == "__main__":  # the log's setup is the command's, not main()'s (tests call it)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
