"""Times training the question model on the real knowledge base.

Run: .venv/bin/python bench/bench_train.py
Full training = featurising every example, 4-fold cross-validation, example index agreement, limits, the
final model (what `klimabot kb train` does). Refit = the final model with the stored limits: after a
curator's edit (here: one new example in every 40th entry) the case model's fit starts from the stored
model's; on a first start with `knowledge/limits.json` but no stored model it starts from zero, timed
in a new process each run (no word caches warm from the runs before, as on a real first start).
Goal (issue #8): model training at start at most 3 s for the real entries.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.intents import load_intent_examples  # noqa: E402
from knowledge.model import load_entries  # noqa: E402
from knowledge.training import refit, train  # noqa: E402

RUNS = 3
FIRST_START = """
import time
from knowledge.intents import load_intent_examples
from knowledge.model import load_entries
from knowledge.model import ENTRIES_DIR
from knowledge.trained import calibration_file, load_calibration
from knowledge.training import refit
entries, _ = load_entries()
intents = load_intent_examples()
calibration = load_calibration(calibration_file(ENTRIES_DIR))
start = time.perf_counter()
refit(entries, intents, calibration)
print(time.perf_counter() - start)
"""


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
        first_start.append(_first_start_seconds())
    examples = trained.report.examples if trained else 0
    print(f"{len(entries)} entries, {examples} examples, median of {RUNS} runs")
    print(f"| full training with cross-validation | {statistics.median(full):.2f} s |")
    print(
        f"| refit after a curator's edit (stored model and limits) | {statistics.median(after_edit):.2f} s |"
    )
    print(
        f"| refit on a first start (limits.json, no stored model) | {statistics.median(first_start):.2f} s |"
    )


def _first_start_seconds() -> float:
    """A refit in a new Python process, as `klimabot` does on its first start."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", FIRST_START], cwd=root, capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[-1])


if __name__ == "__main__":
    main()
