"""Times the Fachstelle's report export: 5,000 measures in 500 reports as XLSX and as CSV.

Run: .venv/bin/python bench/bench_export.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.report_export import write_csv, write_xlsx  # noqa: E402
from tests.services.test_report_export import many_reports  # noqa: E402  (the tests' 500 reports)

RUNS = 3
MEASURES = 5000
PER_REPORT = 10


def main() -> None:
    """Print the median of a few runs of each format."""
    rows = many_reports(MEASURES, PER_REPORT)
    xlsx, csv = [], []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(RUNS):
            started = time.perf_counter()
            write_xlsx(rows, Path(folder) / "export.xlsx")
            xlsx.append(time.perf_counter() - started)
            started = time.perf_counter()
            write_csv(rows, Path(folder) / "export.csv")
            csv.append(time.perf_counter() - started)
    print(f"{MEASURES} measures in {len(rows)} reports, median of {RUNS} runs")
    print(f"| XLSX | {statistics.median(xlsx):.2f} s |")
    print(f"| CSV | {statistics.median(csv):.2f} s |")


if __name__ == "__main__":
    main()
