"""Prints the answering figures on the project's own evaluation set (tests/eval/*.yaml).

Run: .venv/bin/python bench/eval_report.py
Nothing is tuned here: the model's limits come from cross-validation on the curated examples
(`klimabot kb train`); this only measures.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_answering  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.eval_set import evaluate, load_eval_items  # noqa: E402


def main() -> None:
    """Print the summary and every miss."""
    report = evaluate(build_answering(Settings()), load_eval_items())
    print(report.summary())
    for miss in report.misses:
        print(" ", miss)


if __name__ == "__main__":
    main()
