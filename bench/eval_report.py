"""Prints the answering figures on the project's own evaluation set (tests/eval/*.yaml) or, with
`--holdout`, on the holdout set (tests/holdout/*.yaml: written by a separate author from the entry
titles and answers alone, never from the examples; it only measures) or, with `--hard`, on the hard
development set (tests/hard/*.yaml: four separate authors, harder writing; its misses were looked at).

Run: .venv/bin/python bench/eval_report.py [--holdout | --hard]
Nothing is tuned here: the model's limits come from cross-validation on the curated examples
(`klimabot kb train`); this only measures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_answering  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.eval_set import EVAL_DIR, HARD_DIR, HOLDOUT_DIR, evaluate, load_eval_items  # noqa: E402


def main() -> None:
    """Print the summary, the figures per persona and every miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--holdout", action="store_true", help="measure on tests/holdout instead")
    chosen.add_argument("--hard", action="store_true", help="measure on tests/hard instead")
    args = parser.parse_args()
    items = load_eval_items(HOLDOUT_DIR if args.holdout else HARD_DIR if args.hard else EVAL_DIR)
    report = evaluate(build_answering(Settings()), items)
    print(report.summary())
    for line in report.persona_lines():
        print(line)
    for miss in report.misses:
        print(" ", miss)


if __name__ == "__main__":
    main()
