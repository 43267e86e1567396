"""Booking benchmarks: free-slot computation for 10 advisors over 8 weeks, and concurrent bookings through Telegram.

Run: .venv/bin/python bench/bench_booking.py [--quick]
Everything runs on 127.0.0.1 (local Bot API server, SQLite in a temp folder) and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from services.booking.availability import bookable_days, free_slots  # noqa: E402
from services.booking.bookings import BookingRequest, book_slot  # noqa: E402
from storage.types import utcnow  # noqa: E402
from tests.e2e.conftest import running_bot  # noqa: E402
from tests.e2e.test_booking_chat import code_for  # noqa: E402

TOPICS = "[klimaschutz, klimaanpassung, foerderung, thg-bilanz, sonstiges]"


def advisors_yaml(count: int) -> str:
    """`count` advisors with full working weeks (09–12 and 13–16 on Mon–Fri)."""
    lines = ["advisors:"]
    for n in range(count):
        lines += [
            f"  - name: Beraterin {n}",
            f"    email: advisor{n}@example.org",
            f"    topics: {TOPICS}",
            "    hours:",
        ]
        lines += [
            f'      {day}: ["09:00-12:00", "13:00-16:00"]' for day in ("mon", "tue", "wed", "thu", "fri")
        ]
    return "\n".join(lines) + "\n"


async def slot_computation(folder: Path, rounds: int) -> tuple[float, float, int]:
    """Median and max ms to compute all free slots of one topic over the whole horizon, with 100 bookings."""
    advisors = folder / "ten.yaml"
    advisors.write_text(advisors_yaml(10), encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'slots.db'}",
        advisors_file=advisors,
        max_open_bookings_per_municipality=100,
    )
    runtime = await build_runtime(settings)
    first, last = bookable_days(utcnow(), runtime.booking.policy)
    async with runtime.sessions() as session:
        slots = await free_slots(session, runtime.booking, topic="foerderung", first_day=first, last_day=last)
        for slot in slots[::7][:100]:
            request = BookingRequest(
                "foerderung", "video", "Marburg", "Bench", "bench@example.org", confirmed_by_staff=True
            )
            await book_slot(session, runtime.booking, slot=slot, request=request)
    times = []
    for _ in range(rounds):
        async with runtime.sessions() as session:
            started = time.perf_counter()
            slots = await free_slots(
                session, runtime.booking, topic="foerderung", first_day=first, last_day=last
            )
            times.append((time.perf_counter() - started) * 1000)
    await runtime.close()
    return statistics.median(times), max(times), len(slots)


async def concurrent_bookings(folder: Path, users: int) -> tuple[float, list[float], int]:
    """`users` people book at the same time through the real bot; returns total s, per-answer latencies, bookings."""
    advisors = folder / "two.yaml"
    advisors.write_text(advisors_yaml(2), encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'chat.db'}",
        advisors_file=advisors,
        inbox_address="fachstelle@example.org",
        mail_sink_dir=folder / "sink",
        max_open_bookings_per_municipality=users,  # every simulated user books for Marburg
    )
    latencies: list[float] = []
    booked = 0
    async with running_bot(settings) as running:
        api = running.api

        async def step(user: int, action, expect: str) -> None:
            count = len(api.bot_messages(user))
            sent = time.perf_counter()
            action()
            await api.wait_for(
                lambda: len(api.bot_messages(user)) > count and expect in api.bot_messages(user)[-1].text,
                timeout=60,
            )
            latencies.append(time.perf_counter() - sent)

        def press(user: int, prefix: str):
            labels = api.bot_messages(user)[-1].button_labels()
            return lambda: api.user_presses_button(
                user, next(label for label in labels if label.startswith(prefix))
            )

        async def one(user: int) -> bool:
            await step(user, lambda: api.user_sends(user, "/termin"), "Thema")
            await step(user, press(user, "Förderung"), "Kommune")
            await step(user, lambda: api.user_sends(user, "Marburg"), "Kommune")
            await step(user, press(user, "✅"), "heißen")
            await step(user, lambda: api.user_sends(user, f"Person {user}"), "E-Mail")
            await step(user, lambda: api.user_sends(user, f"p{user}@example.org"), "Code")
            code = await code_for(settings, f"p{user}@example.org")
            await step(user, lambda: api.user_sends(user, code), "Telefon")
            await step(user, press(user, "Ohne Telefon"), "beraten")
            await step(user, press(user, "Video"), "Freie Termine")
            days = [label for label in api.bot_messages(user)[-1].button_labels() if "frei" in label]
            if len(days) < 5:  # the first bookable week may be a short one
                await step(user, press(user, "Nächste Woche"), "Freie Termine")
                days = [label for label in api.bot_messages(user)[-1].button_labels() if "frei" in label]
            # every user takes a different, non-adjacent slot (a booking also blocks its neighbours'
            # buffers); collisions on the same slot are tested in tests/services/test_booking_bookings.py
            index = user - 1000
            await step(user, press(user, days[index % len(days)]), "Uhrzeiten")
            times = [label for label in api.bot_messages(user)[-1].button_labels() if ":" in label]
            await step(user, press(user, times[(2 * (index // len(days))) % len(times)]), "Worüber")
            await step(user, press(user, "Ohne Notiz"), "prüfen")
            count = len(api.bot_messages(user))
            api.user_presses_button(user, "✅ Verbindlich buchen")
            await api.wait_for(lambda: len(api.bot_messages(user)) > count, timeout=60)
            final = api.bot_messages(user)[-1].text
            if "Gebucht" not in final and "gerade von jemand anderem gebucht" not in final:
                print("unexpected end:", user, final[:200])
            return "Gebucht" in final

        started = time.perf_counter()
        results = await asyncio.gather(*(one(1000 + n) for n in range(users)))
        total = time.perf_counter() - started
        booked = sum(results)
    return total, latencies, booked


async def main() -> None:
    """Run both benchmarks and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    users = 10 if args.quick else 40
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        median_ms, max_ms, slot_count = await slot_computation(folder, 5 if args.quick else 20)
        total, latencies, booked = await concurrent_bookings(folder, users)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print("| benchmark | result |")
    print("| --- | --- |")
    print(
        f"| free slots, 1 topic, 10 advisors, 8-week horizon, 100 bookings | median {median_ms:.1f} ms, "
        f"max {max_ms:.1f} ms ({slot_count} slots) |"
    )
    print(
        f"| {users} users booking at once through the local Bot API (12 steps each) | all {users} conversations "
        f"finished in {total:.1f} s: {booked} booked, {users - booked} told their slot had just been taken and shown "
        f"the next free ones; time per answer p50 {statistics.median(latencies):.2f} s, p99 {p99:.2f} s "
        "(includes the 1 message/s per chat pacing) |"
    )


if __name__ == "__main__":
    asyncio.run(main())
