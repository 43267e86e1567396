"""Times training the question model on the real knowledge base.

Run: .venv/bin/python bench/bench_train.py
Full training = featurising every example, 4-fold cross-validation, retriever agreement, limits, the
final model (what `klimabot kb train` and a first start without a stored model do). Refit = the final
model with the stored limits (what a start after a curator's edit does).
Goal (issue #8): model training at start at most 3 s for the real entries.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.intents import load_intent_examples  # noqa: E402
from knowledge.model import load_entries  # noqa: E402
from knowledge.training import refit, train  # noqa: E402

RUNS = 3


def main() -> None:
    """Print the median of a few runs of each."""
    entries, _ = load_entries()
    intents = load_intent_examples()
    full, quick = [], []
    trained = None
    for _ in range(RUNS):
        start = time.perf_counter()
        trained = train(entries, intents)
        full.append(time.perf_counter() - start)
        start = time.perf_counter()
        refit(entries, intents, trained.calibration)
        quick.append(time.perf_counter() - start)
    examples = trained.report.examples if trained else 0
    print(f"{len(entries)} entries, {examples} examples, median of {RUNS} runs")
    print(f"| full training with cross-validation | {statistics.median(full):.2f} s |")
    print(f"| refit after an edit (stored limits) | {statistics.median(quick):.2f} s |")


if __name__ == "__main__":
    main()
