"""`python -m training [--config configs/multilingual.yaml] [--fresh] [--reviews FILE ...]`:
train and publish a model.

Exit status: 0 published (`latest` moved); 2 a bad config or review files without a reviewed
row; 4 the publish gate refused the model
(written beside the others, `latest` not moved; the message names the categories)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rabat.defaults import DEFAULT_CONFIG
from rabat.store.files import write_text
from training.config import load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    parser.add_argument(
        "--config",
        default=str(DEFAULT_CONFIG),
        help=f"training config YAML (default {DEFAULT_CONFIG})",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="ignore an interrupted run's checkpoint"
    )
    parser.add_argument(
        "--reviews",
        nargs="+",
        default=None,
        metavar="FILE",
        help="reviewed rows (`python -m annotation pull` output) to add; replaces the config's",
    )
    parser.add_argument(
        "--published-to",
        default=None,
        metavar="FILE",
        help="write the published model directory's path into FILE (for jobs that load it)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        overrides = {} if args.reviews is None else {"reviews": args.reviews}
        config = load_config(args.config, **overrides)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from training.gate import GateRefused  # heavy imports once the config is valid
    from training.reviewed import NoReviewedRows
    from training.train import train

    try:
        model_dir = train(config, fresh=args.fresh)
    except GateRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 4
    except NoReviewedRows as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"model written to {model_dir}")
    if args.published_to:
        write_text(Path(args.published_to), f"{Path(model_dir).resolve()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
