"""`python -m training --config configs/train.yaml [--fresh]`: train and publish a model."""

from __future__ import annotations

import argparse
import logging
import sys

from training.config import load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    parser.add_argument("--config", default="configs/train.yaml", help="training config YAML")
    parser.add_argument(
        "--fresh", action="store_true", help="ignore an interrupted run's checkpoint"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = load_config(args.config)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from training.train import train  # heavy imports only once the config is valid

    model_dir = train(config, fresh=args.fresh)
    print(f"model written to {model_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
