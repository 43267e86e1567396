"""Report benchmarks: many users filing full reports at once through the local Bot API, and a 5,000-measure export.

Run: .venv/bin/python bench/bench_reports.py [--users 200] [--measures 10] [--quick] [--back-to-back]
                                              [--pause MIN MAX] [--database-url URL]
Without --database-url the chats run on a fresh PostgreSQL database created next to KLIMABOT_BENCH_PG_URL
(default postgresql://postgres@127.0.0.1:5432/test) and dropped afterwards. Every simulated chat is bound to
its municipality beforehand (as by a mailed code), so the numbers are the report's answers themselves.

The bot runs as it is deployed: `klimabot run` in a process of its own with a token, talking to the local
Bot API server in this process, where the simulated users sit (as Telegram and the users are not on the
bot's machine either). Each user answers after a human pause (seeded): 2–6 s to read a question and tap a button, 5–15 s to
type an answer (as the web chat bench lets its visitors type). `--pause 1 3` gives every answer the same
shorter pause, a stress test far beyond a person's pace; `--back-to-back` drops the pause and measures
throughput instead of latency.
Telegram's own limits (30 messages/s overall, 1/s per chat) would make 200 × 10 measures take about
20 minutes whatever the bot does, so this benchmark lifts the pacing (and the local server does not
enforce limits) to measure the bot itself; the flood-limit behaviour is proven in tests/e2e.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scratch_database import pg_admin, scratch_url  # noqa: E402

from local_bot_api import LocalBotApi  # noqa: E402
from services import reports  # noqa: E402
from services.report_export import ReportRow, write_xlsx  # noqa: E402
from services.report_fields import MEASURE_FIELDS, REPORT_FIELDS, YearMonth  # noqa: E402
from storage.database import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

QUESTIONS = {field.question: field.key for field in (*MEASURE_FIELDS, *REPORT_FIELDS)}
TYPED = {
    "reporter_name": "Erika Muster",
    "reporter_email": "erika@example.org",
    "reporter_role": "Klimaschutz",
    "title": "LED-Straßenbeleuchtung",
    "start": "03/2025",
    "end": "11/2025",
    "cost": "12.500,50 €",
    "funding_amount": "5.000",
    "co2_saving": "ca. 10 t",
    "description": "Umrüstung auf LED.",
}
PRESSED = {
    "area": "Klimaschutz",
    "action_field": "Mobilität",
    "status": "abgeschlossen",
    "funding": "Hessische Klimarichtlinie",
    "link": "Überspringen",
    "attachment": "Überspringen",
}


GOAL_P99_MS = 250


@dataclass(frozen=True)
class Pace:
    """Seconds a user waits before tapping a button and before sending a typed answer (uniform ranges)."""

    tap: tuple[float, float]
    typed: tuple[float, float]

    @property
    def label(self) -> str:
        if self.tap == self.typed:
            return "back to back" if self.tap[1] == 0 else f"every answer after {_range(self.tap)}"
        return f"human pace: tap after {_range(self.tap)}, type {_range(self.typed)}"


def _range(seconds: tuple[float, float]) -> str:
    return f"{seconds[0]:g}–{seconds[1]:g} s"


HUMAN_PACE = Pace(tap=(2.0, 6.0), typed=(5.0, 15.0))


def distinct_municipalities(count: int) -> list[tuple[str, str]]:
    """(name, ags) of municipalities whose names match exactly one, so every simulated user files its own report."""
    from services.municipalities import load_municipalities

    directory = load_municipalities()
    names = []
    for municipality in directory:
        match = directory.best(municipality.short_name)
        if match is not None and match.ags == municipality.ags and not municipality.is_landkreis:
            names.append((municipality.short_name, municipality.ags))
        if len(names) == count:
            break
    return names


async def one_user(
    api, user: int, municipality: str, measures: int, latencies: list[tuple[float, str]], pace: Pace
) -> bool:
    """File a whole report as one user; every answer's latency is recorded with the step it answered."""
    human = random.Random(user)

    def last():
        return api.last_bot_message(user)

    async def act(action, step: str, typed: bool = False) -> None:
        pause = pace.typed if typed else pace.tap
        if pause[1] > 0:
            await asyncio.sleep(human.uniform(*pause))  # reading the question, tapping or typing
        count = api.bot_message_count(user)
        sent = time.perf_counter()
        action()
        await api.wait_for(lambda: api.bot_message_count(user) > count, timeout=120)
        await asyncio.sleep(0)
        latencies.append((time.perf_counter() - sent, step))

    def press(prefix: str):
        label = next(label for label in last().button_labels() if label.startswith(prefix))
        return lambda: api.user_presses_button(user, label)

    await act(lambda: api.user_sends(user, "/bericht"), "/bericht", typed=True)
    await act(lambda: api.user_sends(user, municipality), "municipality", typed=True)
    await act(press("✅"), "confirm municipality")
    await act(press(str(min(reports.reporting_years()))), "year")
    for number in range(measures):
        for _ in range(30):
            message = last()
            if "Ihre Maßnahme" in message.text:
                break
            key = next((k for q, k in QUESTIONS.items() if q in message.text), None)
            if key is None:  # e.g. an intro line before the question: wait for the next message
                await api.wait_for(lambda m=message: last() is not m, timeout=120)
                continue
            if key in TYPED:
                await act(lambda k=key: api.user_sends(user, TYPED[k]), key, typed=True)
            else:
                await act(press(PRESSED[key]), key)
            await api.wait_for(
                lambda k=key: (
                    next((kk for q, kk in QUESTIONS.items() if q in last().text), None) != k
                    or "Ihre Maßnahme" in last().text
                ),
                timeout=120,
            )
        if number < measures - 1:
            await act(press("➕ Weitere Maßnahme"), "next measure")
    await act(press("🔎 Bericht prüfen"), "review")
    await act(press("📨 Absenden"), "submit")
    # the thanks names the version; the report's PDF follows it
    thanks = await api.wait_for(
        lambda: next((m for m in reversed(api.bot_messages(user)) if "Version" in m.text), None), timeout=120
    )
    await api.wait_for(lambda: any(m.document for m in api.bot_messages(user)[-2:]), timeout=120)
    return "Version 1" in thanks.text


async def chat_benchmark(
    folder: Path, users: int, measures: int, database_url: str, pace: Pace
) -> tuple[float, list[tuple[float, str]], int]:
    """Run `users` simultaneous report conversations against the bot in its own process."""
    latencies: list[tuple[float, str]] = []
    names = distinct_municipalities(users)
    await bind_chats(database_url, [(20_000 + n, ags) for n, (_name, ags) in enumerate(names)])
    async with LocalBotApi() as api:
        async with bot_process(folder, api, database_url):
            started = time.perf_counter()
            results = await asyncio.gather(
                *(one_user(api, 20_000 + n, names[n][0], measures, latencies, pace) for n in range(users))
            )
            total = time.perf_counter() - started
    return total, latencies, sum(results)


@contextlib.asynccontextmanager
async def bot_process(folder: Path, api: LocalBotApi, database_url: str):
    """`klimabot run` with a token against the local Bot API; stopped (SIGTERM) afterwards."""
    advisors = folder / "advisors.yaml"
    shutil.copy(ROOT / "advisors.example.yaml", advisors)
    environment = os.environ | {
        "KLIMABOT_TELEGRAM_TOKEN": api.make_token(),
        "KLIMABOT_TELEGRAM_API_URL": api.base_url,
        "KLIMABOT_DATABASE_URL": database_url,
        "KLIMABOT_INBOX_ADDRESS": "fachstelle@klimabot-bench.de",
        "KLIMABOT_ADVISORS_FILE": str(advisors),
        "KLIMABOT_MAIL_SINK_DIR": str(folder / "sink"),
        "KLIMABOT_FLOOD_GLOBAL_PER_SECOND": "1000",
        "KLIMABOT_FLOOD_PER_CHAT_PER_SECOND": "100",
    }
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("klimabot")),
        "run",
        cwd=folder,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        while True:  # "läuft" is said once the bot polls
            line = await asyncio.wait_for(process.stderr.readline(), timeout=120)
            if not line:
                raise RuntimeError(f"klimabot run stopped (exit {await process.wait()})")
            if "läuft" in line.decode(errors="replace"):
                break
        drain = asyncio.create_task(_discard(process.stderr))
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=40)
            except TimeoutError:
                process.kill()
        if "drain" in locals():
            drain.cancel()


async def _discard(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


async def bind_chats(database_url: str, chats: list[tuple[int, str]]) -> None:
    """Bind each simulated chat to its municipality, as a confirmed code would."""
    await asyncio.to_thread(upgrade_database, database_url)  # alembic runs its own event loop
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            for chat_id, ags in chats:
                await reports.grant_access(
                    session, chat_id=chat_id, ags=ags, email=None, via="fachstelle-contact"
                )
    finally:
        await engine.dispose()


def export_benchmark(folder: Path, measures: int) -> float:
    """Seconds to write an XLSX with `measures` measures over 400 municipalities."""
    measure = {
        "title": "LED-Straßenbeleuchtung",
        "area": "klimaschutz",
        "action_field": "mobilitaet",
        "status": "abgeschlossen",
        "start": YearMonth(2025, 3),
        "end": YearMonth(2025, 11),
        "cost": Decimal("12500.50"),
        "funding": "hessen",
        "funding_amount": Decimal("5000"),
        "co2_saving": Decimal("10"),
        "description": "Umrüstung auf LED.",
    }
    per_report = measures // 400
    rows = [
        ReportRow(
            f"0641{n:04d}",
            f"Kommune {n}",
            2025,
            1,
            "submitted",
            dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            "Erika Muster",
            measures=tuple(dict(measure) for _ in range(per_report)),
        )
        for n in range(400)
    ]
    started = time.perf_counter()
    write_xlsx(rows, folder / "export.xlsx")
    return time.perf_counter() - started


async def main() -> None:
    """Run both benchmarks and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--measures", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="20 users with 2 measures each")
    parser.add_argument(
        "--back-to-back", action="store_true", help="no human pause between answers (a throughput test)"
    )
    parser.add_argument(
        "--pause", nargs=2, type=float, metavar=("MIN", "MAX"), help="the same pause before every answer"
    )
    parser.add_argument(
        "--database-url", help="an empty database; default: a fresh PostgreSQL database, dropped afterwards"
    )
    args = parser.parse_args()
    users, measures = (20, 2) if args.quick else (args.users, args.measures)
    database_url, scratch = args.database_url, None
    if database_url is None:
        scratch = f"klimabot_bench_{uuid.uuid4().hex[:10]}"
        await pg_admin(f'CREATE DATABASE "{scratch}"')
        database_url = scratch_url(scratch)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            export_seconds = export_benchmark(folder, 5000)
            pace = HUMAN_PACE
            if args.back_to_back or args.pause:
                pause = (0.0, 0.0) if args.back_to_back else (args.pause[0], args.pause[1])
                pace = Pace(tap=pause, typed=pause)
            total, latencies, submitted = await chat_benchmark(folder, users, measures, database_url, pace)
    finally:
        if scratch is not None:
            await pg_admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    latencies.sort()
    slowest = Counter(step for _, step in latencies[int(len(latencies) * 0.99) :])
    latencies = [seconds for seconds, _ in latencies]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print("| benchmark | result |")
    print("| --- | --- |")
    print(
        f"| {users} users filing a report of {measures} measures at once "
        f"({pace.label}; bot in its own process) | "
        f"{submitted}/{users} submitted in {total:.1f} s; {len(latencies)} answers "
        f"({len(latencies) / total:.0f}/s), time per answer "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms |"
    )
    finished = "all finished" if submitted == users else f"{users - submitted} NOT finished"
    verdict = "met" if p99 * 1000 <= GOAL_P99_MS else "missed"
    print(
        f"| database | {database_url.split(':', 1)[0]}; {finished}; p99 goal ≤ {GOAL_P99_MS} ms {verdict} |"
    )
    print(
        f"| the slowest 1 % of answers, by step | {', '.join(f'{s} {n}' for s, n in slowest.most_common())} |"
    )
    print(f"| XLSX export of 5,000 measures (400 municipalities) | {export_seconds:.1f} s |")


if __name__ == "__main__":
    asyncio.run(main())
