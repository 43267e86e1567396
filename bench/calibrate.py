"""Grid-searches the answering thresholds on tests/eval and prints the best settings with their numbers.

Run: .venv/bin/python bench/calibrate.py
Rule: no confident answer to a must-escalate question, at most 2 % wrong confident answers; among those,
the most right answers (then the most right suggestions).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_answering  # noqa: E402
from bot.settings import Settings  # noqa: E402
from services.answering import Thresholds  # noqa: E402
from tests.eval_set import evaluate, load_eval_items  # noqa: E402


def main() -> None:
    """Print the current numbers and the best grid point."""
    service = build_answering(Settings())
    items = load_eval_items()
    current = evaluate(service, items)
    print("current:", service.thresholds, "\n ", current.summary())
    best = None
    for answer_score, margin, suggest in itertools.product(
        [0.52, 0.55, 0.58, 0.60, 0.62, 0.66],
        [0.02, 0.03, 0.04, 0.06],
        [0.40, 0.44, 0.46, 0.48, 0.52],
    ):
        if suggest >= answer_score:
            continue
        service.thresholds = Thresholds(answer_score, margin, suggest)
        report = evaluate(service, items)
        if report.confident_on_must_escalate or report.answered_wrong > 0.02 * report.entry_items:
            continue
        key = (report.special_right, report.answered_right, report.suggested_with_right)
        if best is None or key > best[0]:
            best = (key, service.thresholds, report.summary())
    print("best:", best[1], "\n ", best[2]) if best else print("no setting satisfies the rule")


if __name__ == "__main__":
    main()
