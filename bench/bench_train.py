"""Times training the question model on the real knowledge base.

Run: .venv/bin/python bench/bench_train.py
Full training = featurising every example, 4-fold cross-validation, example index agreement, limits, the
final model (what `klimabot kb train` does). Refit = the final model with the stored limits: after a
curator's edit (here: one new example in every 40th entry) the case model's fit starts from the stored
model's; on a first start with `knowledge/limits.json` but no stored model it starts from zero.
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
    edited = [
        entry.model_copy(update={"examples": [*entry.examples, f"noch eine frage zu {entry.title}"]})
        if i % 40 == 0
        else entry
        for i, entry in enumerate(entries)
    ]
    full, after_edit, first_start = [], [], []
    trained = None
    for _ in range(RUNS):
        start = time.perf_counter()
        trained = train(entries, intents)
        full.append(time.perf_counter() - start)
        start = time.perf_counter()
        refit(edited, intents, trained.calibration, earlier=trained)
        after_edit.append(time.perf_counter() - start)
        start = time.perf_counter()
        refit(edited, intents, trained.calibration)
        first_start.append(time.perf_counter() - start)
    examples = trained.report.examples if trained else 0
    print(f"{len(entries)} entries, {examples} examples, median of {RUNS} runs")
    print(f"| full training with cross-validation | {statistics.median(full):.2f} s |")
    print(
        f"| refit after a curator's edit (stored model and limits) | {statistics.median(after_edit):.2f} s |"
    )
    print(
        f"| refit on a first start (limits.json, no stored model) | {statistics.median(first_start):.2f} s |"
    )


if __name__ == "__main__":
    main()
