"""Times the Fachstelle's report export: 5,000 measures in 500 reports as XLSX and as CSV.

Run: .venv/bin/python bench/bench_export.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.report_export import ReportRow, write_csv, write_xlsx  # noqa: E402
from services.report_fields import YearMonth  # noqa: E402

RUNS = 3
MEASURES = 5000
PER_REPORT = 10


def reports() -> list[ReportRow]:
    """500 submitted reports of 10 measures each, with long descriptions."""
    start = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    areas = ("klimaschutz", "klimaanpassung", "beides")
    return [
        ReportRow(
            ags=f"06{number:06d}",
            municipality=f"Kommune {number}",
            year=2025,
            version=1,
            state="eingereicht",
            submitted_at=start + timedelta(hours=number),
            person="Maria Muster",
            email="m@musterstadt.de",
            role="Klimaschutzmanagerin",
            measures=tuple(
                {
                    "title": f"Maßnahme {index}",
                    "area": areas[index % 3],
                    "action_field": "gebaeude",
                    "status": "abgeschlossen",
                    "start": YearMonth(2024, 3),
                    "end": YearMonth(2025, None),
                    "cost": Decimal(1000 + index),
                    "funding": "hkr",
                    "funding_amount": Decimal(500),
                    "co2_saving": Decimal("1.5"),
                    "description": "Text " * 40,
                }
                for index in range(PER_REPORT)
            ),
        )
        for number in range(MEASURES // PER_REPORT)
    ]


def main() -> None:
    """Print the median of a few runs of each format."""
    rows = reports()
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
