"""Scores the answering on the fact-sheet set (tests/factsheet/*.yaml): messages written by separate
authors from the fact sheet alone, never from the knowledge base, so they also find facts the entries
do not answer. Scored like the shared development set: a `kb` item needs an answer whose text holds one
of its `expect_any` strings (an answer without one counts as confidently wrong), `escalate` an offer of a
person, `smalltalk_or_help` a friendly reply.

Run: .venv/bin/python bench/eval_factsheet.py [--fresh | --dir tests/fresh2] [--half a|b] [-v]
`--fresh` scores tests/fresh/*.yaml instead: a second such set, written later by four more authors (two
from the fact sheet, one of must-escalate and small-talk messages, one of small talk alone); `--dir`
another directory of such files, e.g. tests/fresh2 or tests/fresh3 (three more authors each, 5 Dec).
Like the shared set, it has two halves: `a` (odd numbers) is where misses may be looked at, `b` (even
numbers) only measures. Nothing is trained on it and no limit is chosen from it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import Settings  # noqa: E402
from services.answering import load_answering_service  # noqa: E402
from tests.eval_set import FACTSHEET_DIR, FRESH_DIR, load_factsheet_items, score_factsheet  # noqa: E402


def main() -> None:
    """Print the figures per persona, the summary and, with -v, one line per miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["a", "b"], help="a: odd numbers (look here), b: even (measure)")
    parser.add_argument("-v", action="store_true", help="one line per miss")
    parser.add_argument("--fresh", action="store_true", help="score tests/fresh instead of tests/factsheet")
    parser.add_argument("--dir", type=Path, help="score the *.yaml files of another directory")
    args = parser.parse_args()
    settings = Settings()
    answering = load_answering_service(settings.knowledge_dir, settings.model_file)
    directory = args.dir or (FRESH_DIR if args.fresh else FACTSHEET_DIR)
    items = load_factsheet_items(args.half, directory)
    score = score_factsheet(answering, items, settings.fachstelle_email)
    if args.v:
        print("\n".join(score.misses))
    for persona in sorted(score.persona_total):
        print(f"  persona {persona}: {score.persona_right[persona]}/{score.persona_total[persona]}")
    print(score.summary())


if __name__ == "__main__":
    main()
