"""Hostile incoming mails: time, longest event-loop stall and extra peak memory of handle_email() for each.

Run: .venv/bin/python bench/bench_hostile_mail.py [--database-url URL] [--case NAME ...]
Each mail is handled in a fresh child process on a fresh SQLite database (or the given one), so the
peak memory of one case is not hidden by another's. The four mails are the ones of issue #9:
100,000 References, one 20 MB line, 10,000 MIME parts and a 30 MB attachment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = ("references", "long_line", "mime_parts", "attachment")
TICK_SECONDS = 0.01


def hostile_mail(case: str) -> bytes:
    """The raw bytes of one hostile mail."""
    from tests.mail.hostile import HOSTILE

    return HOSTILE[case]()


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


async def _run_case(case: str, database_url: str | None) -> dict:
    from bot.app import build_answering
    from bot.settings import Settings
    from mail.handling import InboxContext, handle_email
    from services.advisors import Advisor, AdvisorDirectory
    from services.municipalities import load_municipalities
    from services.tickets import TicketConfig
    from storage.database import create_engine, session_factory
    from storage.migrate import migrate
    from tests.mail.hostile import many_parts

    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'hostile.db'}"
        await migrate(url)
        engine = create_engine(url)
        config = TicketConfig(
            inbox_address="fachstelle@example.org",
            advisors=AdvisorDirectory((Advisor("Anna", "anna@example.org"),)),
        )
        context = InboxContext(
            session_factory(engine), config, build_answering(Settings()), load_municipalities()
        )
        raw = hostile_mail(case)
        # a warm-up mail, so imports and first queries are not billed to the hostile one
        await handle_email(many_parts(3), context)
        baseline = _current_rss_mb()
        gaps: list[float] = []

        async def ticker() -> None:
            last = time.perf_counter()
            while True:
                await asyncio.sleep(TICK_SECONDS)
                now = time.perf_counter()
                gaps.append(now - last - TICK_SECONDS)
                last = now

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(2 * TICK_SECONDS)  # the ticker has taken its first time stamp
        started = time.perf_counter()
        result = await handle_email(raw, context)
        elapsed = time.perf_counter() - started
        ticking.cancel()
        await engine.dispose()
        return {
            "case": case,
            "size_mb": len(raw) / 1024 / 1024,
            "seconds": elapsed,
            "max_stall": max(gaps, default=elapsed),
            # above the RSS just before the mail; 0 when the mail never raised the process's peak
            "extra_peak_mb": max(_rss_mb() - baseline, 0.0),
            "outcome": f"{result.outcome}: {result.reason}"[:80],
        }


def _child(case: str, database_url: str | None) -> dict:
    command = [sys.executable, __file__, "--child", case]
    if database_url:
        command += ["--database-url", database_url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        return {"case": case, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run the cases (each in its own process) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", action="append", choices=CASES)
    parser.add_argument("--database-url")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_run_case(args.child, args.database_url))))
        return
    print("| mail | size | handle_email | longest loop stall | extra peak RSS | outcome |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for case in args.case or CASES:
        row = _child(case, args.database_url)
        if "error" in row:
            print(f"| {case} | | | | | failed: {row['error'][0]} |")
            continue
        print(
            f"| {case} | {row['size_mb']:.1f} MB | {row['seconds']:.2f} s | {row['max_stall']:.2f} s "
            f"| {row['extra_peak_mb']:.0f} MB | {row['outcome']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
