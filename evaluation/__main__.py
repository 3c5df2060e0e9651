"""`python -m evaluation`: measure a trained model.

    python -m evaluation report --model DIR FILE...   # model and baselines on labelled files
    python -m evaluation heldout --out DIR --model DIR  # HateXplain val, the perturbed dev split
    python -m evaluation cases --model DIR            # the Rabat decision on the case bank
    python -m evaluation functional --model DIR       # the functional suite per language
    python -m evaluation evidence --model DIR         # evidence plausibility and faithfulness
    python -m evaluation multilingual --model DIR --english DIR  # the two models side by side
    python -m evaluation signals --model DIR          # the auxiliary heads' signals on a split
    python -m evaluation civil --model DIR            # drop-in attributes vs Civil Comments raters
    python -m evaluation versus --model release --splits DIR --baseline DIR  # a release vs the old
    python -m evaluation operating-point --model DIR --out PAGE  # the bars and the dev tradeoff

`make eval` runs heldout then report; `make cases` runs cases. `python -m evaluation COMMAND
--help` lists a command's options.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# The module whose `main(argv)` runs each command; imported only when chosen (torch is heavy).
COMMANDS: dict[str, str] = {
    "report": "evaluation.report_cli",
    "heldout": "evaluation.heldout",
    "cases": "evaluation.cases",
    "functional": "evaluation.functional",
    "evidence": "evaluation.evidence",
    "multilingual": "evaluation.multilingual",
    "signals": "evaluation.signals",
    "civil": "evaluation.civil",
    "versus": "evaluation.versus",
    "operating-point": "evaluation.operating_point",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command with the rest of the arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m evaluation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND", help=", ".join(COMMANDS))
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the command's own options")
    args = parser.parse_args(argv)
    code: int = importlib.import_module(COMMANDS[args.command]).main(args.args)
    return code


if __name__ == "__main__":
    sys.exit(main())
