"""`python -m annotation`: the review loop with Label Studio.

    python -m annotation server                 # the bundled Label Studio (make label-studio)
    python -m annotation setup                  # create/update the review project
    python -m annotation push POOL.csv          # texts -> tasks with the model's pre-annotations
    python -m annotation push POOL.csv --dry-run   # read, check and predict; import nothing
    python -m annotation reviewers add A@X B@Y  # invite reviewers; says what each does next
    python -m annotation pull                   # annotations -> reviews/project-<id>/<time>.jsonl

Settings come from the environment (RABAT_LS_*: see annotation/settings.py and the README).
`pull` prints the training file's path as its last line, for scripts.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from annotation.client import LabelStudioError, connect
from annotation.push import DEFAULT_POLICY
from annotation.server import ServerError, serve
from annotation.settings import Settings, load_settings
from rabat.defaults import DEFAULT_MODEL_DIR
from rabat.text.cleaning import MAX_TEXT_CHARS


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    try:
        settings = load_settings(
            **({"project": args.title} if getattr(args, "title", None) else {})
        )
        code: int = args.run(settings, args)
        return code
    except (LabelStudioError, ServerError, ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _server(settings: Settings, args: argparse.Namespace) -> int:
    return serve(settings, detach=args.detach)


def _setup(settings: Settings, args: argparse.Namespace) -> int:
    from annotation.project import check_model_labels, connect_ml_backend, setup_project

    model = args.model if args.model or not DEFAULT_MODEL_DIR.exists() else DEFAULT_MODEL_DIR
    key = settings.backend_key.get_secret_value() if settings.backend_key else None
    checked = check_model_labels(model, args.ml_backend or args.service, key)
    client = connect(settings)
    overlap = settings.overlap if args.overlap is None else args.overlap
    info = setup_project(client, settings, overlap=overlap)
    verb = "created" if info.created else ("updated" if info.updated else "is up to date")
    print(f"project {info.title!r} (id {info.id}) {verb} at {settings.base_url}/projects/{info.id}")
    print(
        f"every task goes to {overlap} reviewer(s)"
        + (
            ": agreement can be measured; add reviewers with "
            "`python -m annotation reviewers add EMAIL...`"
            if overlap > 1
            else " (agreement needs 2 or more: --overlap 2)"
        )
    )
    if checked:
        print(f"labels match the model: {', '.join(checked)}")
    if args.ml_backend:
        added = connect_ml_backend(client, settings, info.id, args.ml_backend)
        print(f"ML backend {args.ml_backend} {'connected' if added else 'already connected'}")
    return 0


def _push(settings: Settings, args: argparse.Namespace) -> int:
    from annotation.pool import PoolFile, check_pool, read_pool
    from annotation.project import require_project
    from annotation.push import load_predictor, push

    pool = PoolFile(args.pool, args.encoding, args.max_chars)
    stats = check_pool(pool)  # the whole file is readable before anything is imported
    print(
        f"{pool.path}: {stats.rows} rows, {stats.texts} texts; {stats.repeated} repeated, "
        f"{stats.blank} blank and {stats.rejected} over the limit skipped"
        + (" (each named above)" if stats.rejected else "")
    )
    client = None if args.dry_run else connect(settings)
    project_id = 0 if client is None else int(require_project(client, settings).id)
    predict, version = load_predictor(args.model, args.backend, args.policy)
    report = push(
        client,
        settings,
        project_id,
        read_pool(pool),
        predict,
        version,
        args.batch_size,
        total=stats.texts,
    )
    if client is None:
        labels = ", ".join(f"{n} {label}" for label, n in sorted(report.labels.items()))
        print(f"dry run: {report.texts} texts predicted with {version} ({labels}); none imported")
        return 0
    print(
        f"{report.imported} tasks imported into project {project_id} with predictions from "
        f"{report.model_version}; {report.already_there} already there"
    )
    return 0


def _reviewers_add(settings: Settings, args: argparse.Namespace) -> int:
    from annotation.reviewers import invite

    for line in invite(connect(settings), settings, args.emails):
        print(line)
    return 0


def _reviewers_list(settings: Settings, args: argparse.Namespace) -> int:
    from annotation.reviewers import members

    for email, user_id in sorted(members(connect(settings), settings).items()):
        print(f"{email} (user {user_id})")
    return 0


def _pull(settings: Settings, args: argparse.Namespace) -> int:
    from annotation.project import require_project
    from annotation.pull import GoldPolicy, annotator_names, convert, export_tasks, write_version

    client = connect(settings)
    project = require_project(client, settings) if args.project is None else None
    project_id = args.project if project is None else int(project.id)
    exported = export_tasks(client, settings, project_id)
    gold = GoldPolicy(settings.gold_bar, settings.gold_min_tasks, settings.gold_weights)
    conversion = convert(exported, annotator_names(client, settings), gold)
    meta = {"id": project_id, "url": settings.base_url}
    path, report = write_version(conversion, args.out.resolve() / f"project-{project_id}", meta)
    _print_report(report)
    print(path.resolve())
    return 0


def _print_report(report: dict[str, Any]) -> None:
    agreement = report["agreement"]
    print(
        f"{report['tasks']} reviewed tasks ({report['trainable']} with a label, {report['ties']} "
        f"ties flagged), {report['annotations']} annotations, {report['cancelled']} skipped, "
        f"{len(report['unreadable'])} unreadable"
    )
    print(f"agreement over {agreement['tasks_with_2_or_more_reviews']} multiply-reviewed tasks:")
    for name, found in agreement["fields"].items():
        alpha = "n/a" if found["alpha"] is None else f"{found['alpha']:.3f}"
        print(f"  {name:36s} alpha {alpha:>6s}  ({found['units']} tasks)")
    gold = report.get("gold") or {"gold_tasks": 0, "annotators": {}}
    if gold["gold_tasks"]:
        print(
            f"gold tasks: {gold['gold_tasks']} (bar {gold['bar']:.2f} from {gold['min_tasks']} "
            f"answered; votes {'weighted by accuracy' if gold.get('weighted') else 'unweighted'})"
        )
    for who, stats in agreement["annotators"].items():
        line = f"  {who}: {stats['annotations']} annotations, labels {stats['labels']}"
        judged = gold["annotators"].get(who)
        if judged:
            line += (
                f"; gold {judged['correct']}/{judged['gold_tasks']} = {judged['accuracy']:.3f}"
                + (" BELOW THE BAR" if judged["flagged"] else "")
            )
        print(line)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m annotation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    server = commands.add_parser("server", help="start the bundled Label Studio on loopback")
    server.add_argument("--detach", action="store_true", help="run it in the background")
    server.set_defaults(run=_server)
    setup = commands.add_parser("setup", help="create or update the review project")
    setup.add_argument("--title", help="project title (default RABAT_LS_PROJECT)")
    setup.add_argument(
        "--model", type=Path, help=f"model whose labels to check ({DEFAULT_MODEL_DIR})"
    )
    setup.add_argument("--service", help="a running Rabat service whose labels to check")
    setup.add_argument(
        "--overlap",
        type=int,
        help="reviewers per task, on every task (default RABAT_LS_OVERLAP, 2: agreement "
        "becomes measurable)",
    )
    setup.add_argument(
        "--ml-backend",
        metavar="URL",
        help="connect the Rabat service at URL as the project's ML backend (checks its labels)",
    )
    setup.set_defaults(run=_setup)
    push = commands.add_parser("push", help="import texts with the model's pre-annotations")
    push.add_argument("pool", type=Path, help="CSV with a `text` column, or JSONL")
    push.add_argument("--title", help="project title (default RABAT_LS_PROJECT)")
    push.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR, help="model directory")
    push.add_argument("--backend", choices=["auto", "torch", "onnx", "onnx-int8"], default="auto")
    push.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="Rabat policy YAML")
    push.add_argument("--batch-size", type=int, default=1000, help="tasks per import request")
    push.add_argument(
        "--dry-run", action="store_true", help="read, check and predict; import nothing"
    )
    push.add_argument("--encoding", default="utf-8", help="the pool's text encoding (utf-8)")
    push.add_argument(
        "--max-chars",
        type=int,
        default=MAX_TEXT_CHARS,
        help=f"longest text accepted, in characters ({MAX_TEXT_CHARS:,}, the service's limit)",
    )
    push.set_defaults(run=_push)
    reviewers = commands.add_parser("reviewers", help="add reviewers to the team")
    actions = reviewers.add_subparsers(required=True, metavar="ACTION")
    add = actions.add_parser("add", help="invite reviewers by e-mail and say what they do next")
    add.add_argument("emails", nargs="+", metavar="EMAIL")
    add.add_argument("--title", help="project title (default RABAT_LS_PROJECT)")
    add.set_defaults(run=_reviewers_add)
    listed = actions.add_parser("list", help="the team: members and their annotations")
    listed.set_defaults(run=_reviewers_list)
    pull = commands.add_parser("pull", help="export annotations into a training file")
    pull.add_argument("--title", help="project title (default RABAT_LS_PROJECT)")
    pull.add_argument("--project", type=int, help="project id (instead of the title)")
    pull.add_argument("--out", type=Path, default=Path("reviews"), help="output folder")
    pull.set_defaults(run=_pull)
    return parser


if __name__ == "__main__":
    sys.exit(main())
