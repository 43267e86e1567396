"""Web chat benchmark: many browser sessions asking questions at once through the page's own protocol.

Run: .venv/bin/python bench/bench_web_chat.py [--quick] [--back-to-back] [--sessions 200] [--questions 5]
                                              [--database {postgresql,sqlite}] [--port N]

The bot runs as it is deployed without Telegram: `klimabot run` in a process of its own with
`KLIMABOT_HTTP_LISTEN` and no token, so it serves the web chat only (stdin is not a terminal, so no terminal
chat). Every simulated visitor is a browser of its own (own aiohttp session and cookie jar) speaking the
protocol of web/PROTOCOL.md: `GET /chat` for the cookie, the server-sent events of `GET /chat/api/events`,
and JSON posts to `POST /chat/api/send` from the page's origin. Each visitor sends "/start", waits for the
greeting, then asks its questions one after another after a human pause: by default 5–15 s (seeded), the time
to read an answer and type the next question in a browser; `--pause 0.5 1.5` is a stress test far beyond a
person's pace, `--back-to-back` drops the pause and measures throughput. An answer's latency is the time from sending the POST until the first new `message` event from
"bot" arrives on that visitor's event stream. Errors: non-2xx responses, answers not there within 10 s,
broken connections; a late answer is waited for (20 s more, not measured) so it is never taken for the next
one. Every visitor comes from an address of its own (`X-Forwarded-For` from 198.18.0.0/15, as the deployment's
proxy on loopback would add it), so the per-address rate limits see what they would see on the internet;
`--one-address` sends everything from 127.0.0.1 instead.

With PostgreSQL (the default) the bot gets a fresh database next to KLIMABOT_BENCH_PG_URL (default
postgresql://postgres@127.0.0.1:5432/test), dropped afterwards; with `--database sqlite` a file in a temporary
folder. Printed: sessions, answers, errors, p50/p90/p99/max per answer, answers/s, the bot process's CPU time
(and PostgreSQL transactions) per answered message, its peak and final RSS, the machine's load average, and
whether per-answer p99 ≤ 300 ms (an answer that never came counts as slower). Everything is bounded and
stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from scratch_database import admin_connection, pg_admin, scratch_url

ROOT = Path(__file__).resolve().parents[1]

GOAL_P99_MS = 300
ANSWER_TIMEOUT_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
HUMAN_PAUSE_SECONDS = (5.0, 15.0)  # reading an answer and typing the next question
START_SPREAD_SECONDS = 2.0  # the visitors open the page within this time (seeded), not all in one instant
SETTLE_SECONDS = 0.3  # after the greeting: quiet time so a second greeting message is not taken for an answer
LATE_SECONDS = 20.0  # how much longer a visitor waits for a late answer (an error) before asking on
MAX_RECONNECTS = 5
SEED = 20261203

# Typed the way visitors type: full sentences, lower case, missing punctuation, abbreviations, a typo.
QUESTIONS = [
    "Wer darf Förderung nach der Klimarichtlinie beantragen?",
    "wie hoch ist der fördersatz bei der klimarichtlinie",
    "Gibt es Geld für eine PV-Anlage auf dem Rathausdach?",
    "Können wir als Gemeinde einen Radweg über die Klimarichtlinie fördern lassen?",
    "Bis wann müssen wir den Aktionsplan nach dem Beitritt einreichen?",
    "was muss alles in den aktionsplan rein",
    "Wohin schicken wir den fertigen Aktionsplan?",
    "Gibt es eine Vorlage oder Mustergliederung für den Aktionsplan?",
    "Wie erstellen wir die THG-Bilanz für unsere Kommune?",
    "thg bilanz mit ecospeed – wie bekommen wir einen zugang?",
    "Was bedeutet die Datengüte A bis D in der Treibhausgasbilanz?",
    "Wozu verpflichtet uns die Charta der Klima-Kommunen?",
    "Klima-Charta 2021 oder Beitrittscharta – welche müssen wir unterschreiben?",
    "Kostet die Mitgliedschaft im Bündnis etwas?",
    "Braucht der Beitritt einen Beschluss der Gemeindevertretung?",
    "welche vorteile hat die mitgliedschaft bei den klima kommunen",
    "Wie können wir uns als Kommune an Hitze anpassen?",
    "Fördert das Land eine Starkregenanalyse für unsere Stadt?",
    "Gibt es Förderung für Klimaanpassung, z.B. Begrünung von Schulhöfen?",
    "kilmarichtlinie antrag stellen wibank wie geht das",
]


@dataclass
class Results:
    """What all visitors measured together."""

    answers: list[float] = field(default_factory=list)  # seconds from POST to the first bot message
    greetings: list[float] = field(default_factory=list)
    late: list[float] = field(default_factory=list)  # answers (or greetings) that came after the 10 s
    posts: list[float] = field(default_factory=list)  # seconds until the POST's response
    errors: collections.Counter = field(default_factory=collections.Counter)
    sessions_finished: int = 0
    bot_messages: int = 0
    events: int = 0


@dataclass
class Event:
    arrived: float
    data: dict

    @property
    def id(self) -> int:
        return int(self.data.get("id") or 0)

    def is_message_from(self, sender: str) -> bool:
        return self.data.get("type") == "message" and self.data.get("from") == sender


class Visitor:
    """One browser: its own cookie jar, one event stream, posts one question at a time."""

    def __init__(
        self,
        number: int,
        base: str,
        results: Results,
        questions: int,
        pause: tuple[float, float],
        address: str | None,
    ):
        self.number = number
        self.base = base
        self.results = results
        self.questions = questions
        self.pause = pause
        self.random = random.Random(SEED + number)
        self.events: list[Event] = []
        self.last_id = 0
        self.new_event = asyncio.Event()
        self.stream_open = asyncio.Event()
        self.stream_failed: str | None = None
        self.closing = False
        self.echoes = False  # does the server send the visitor's own messages back as events?
        self.http: aiohttp.ClientSession | None = None
        # as behind the deployment's proxy: the visitor's own address in X-Forwarded-For
        self.headers = {"X-Forwarded-For": address} if address else {}

    async def run(self, start_delay: float) -> None:
        await asyncio.sleep(start_delay)
        # an IP host needs unsafe=True; the cookie is `Secure` on loopback, which browsers treat as secure too
        jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[self.base])
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout, headers=self.headers) as self.http:
            reader: asyncio.Task | None = None
            try:
                async with self.http.get(f"{self.base}/chat") as response:
                    await response.read()
                    if response.status != 200:
                        self.results.errors[f"GET /chat HTTP {response.status}"] += 1
                        return
                if not any(cookie.key == "klimabot_chat" for cookie in jar):
                    self.results.errors["GET /chat: no klimabot_chat cookie"] += 1
                    return
                reader = asyncio.create_task(self.read_events())
                try:
                    await asyncio.wait_for(self.stream_open.wait(), REQUEST_TIMEOUT_SECONDS)
                except TimeoutError:
                    self.results.errors["event stream not opened within 10 s"] += 1
                    return
                if self.stream_failed:
                    return
                greeting, answered = await self.say("/start")
                if not answered:
                    return
                if greeting is not None:
                    self.results.greetings.append(greeting)
                await self.settle()
                for question in self.draw_questions():
                    if self.pause[1] > 0:
                        await asyncio.sleep(self.random.uniform(*self.pause))  # reading, then typing
                    latency, _answered = await self.say(question)
                    if latency is not None:
                        self.results.answers.append(latency)
                    if self.stream_failed:
                        break
                self.results.sessions_finished += 1
            except TimeoutError:
                self.results.errors["GET /chat: no response within 10 s"] += 1
            except aiohttp.ClientError as exc:
                self.results.errors[f"connection error ({type(exc).__name__})"] += 1
            finally:
                self.closing = True
                if reader is not None:
                    reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await reader
                self.results.events += len(self.events)
                self.results.bot_messages += sum(event.is_message_from("bot") for event in self.events)

    def draw_questions(self) -> list[str]:
        """`questions` of the list in a random order of this visitor's own (all of them before any again)."""
        drawn: list[str] = []
        while len(drawn) < self.questions:
            drawn += self.random.sample(QUESTIONS, k=len(QUESTIONS))
        return drawn[: self.questions]

    async def say(self, text: str) -> tuple[float | None, bool]:
        """Post `text`: (seconds until the first new bot message or None (error counted), whether it came).

        An answer later than ANSWER_TIMEOUT_SECONDS is an error, but the visitor waits up to LATE_SECONDS
        longer for it (not measured), as a person would, so it is never taken for the answer to the next
        question."""
        assert self.http is not None
        start = len(self.events)
        body = json.dumps({"text": text}).encode()
        headers = {"Origin": self.base, "Content-Type": "application/json"}
        sent = time.perf_counter()
        try:
            async with self.http.post(f"{self.base}/chat/api/send", data=body, headers=headers) as response:
                await response.read()
                self.results.posts.append(time.perf_counter() - sent)
                if not 200 <= response.status < 300:
                    retry = response.headers.get("Retry-After")
                    detail = f", Retry-After {retry}" if retry else ""
                    self.results.errors[f"POST /chat/api/send HTTP {response.status}{detail}"] += 1
                    return None, False
        except TimeoutError:
            self.results.errors["POST /chat/api/send: no response within 10 s"] += 1
            return None, False
        except aiohttp.ClientError as exc:
            self.results.errors[f"POST /chat/api/send: {type(exc).__name__}"] += 1
            return None, False
        answer = await self.wait_for_answer(start, sent + ANSWER_TIMEOUT_SECONDS)
        latency = None if answer is None else answer.arrived - sent
        if answer is None:
            kind = "greeting" if text == "/start" else "answer"
            self.results.errors[f"{kind} not there within {ANSWER_TIMEOUT_SECONDS:.0f} s"] += 1
            answer = await self.wait_for_answer(start, sent + ANSWER_TIMEOUT_SECONDS + LATE_SECONDS)
            if answer is None:
                return None, False
            self.results.late.append(answer.arrived - sent)
        if text == "/start":
            # decided once: when "/start" came back as the visitor's own event before the greeting, every
            # answer must come after the echo of its question (so a late second part of an earlier answer
            # is never taken for it)
            self.echoes = any(
                event.is_message_from("user") for event in self.events[start:] if event.id < answer.id
            )
        return latency, True

    async def wait_for_answer(self, start: int, deadline: float) -> Event | None:
        """The first bot message among the events from index `start` on (after the echo of the visitor's
        own message, when the server echoes); None when there is none by `deadline` (perf_counter)."""
        echo_seen = not self.echoes
        index = start
        while True:
            while index < len(self.events):
                event = self.events[index]
                index += 1
                if not echo_seen:
                    echo_seen = event.is_message_from("user")
                elif event.is_message_from("bot"):
                    return event
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or self.stream_failed:
                return None
            self.new_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.new_event.wait(), remaining)

    async def settle(self) -> None:
        """Wait until no event came for SETTLE_SECONDS (bounded)."""
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            count = len(self.events)
            await asyncio.sleep(SETTLE_SECONDS)
            if len(self.events) == count:
                return

    async def read_events(self) -> None:
        """The event stream, reconnecting with Last-Event-ID like a browser's EventSource (bounded)."""
        assert self.http is not None
        reconnects = 0
        while not self.closing:
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if self.last_id:
                headers["Last-Event-ID"] = str(self.last_id)
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=REQUEST_TIMEOUT_SECONDS, sock_read=45)
            try:
                async with self.http.get(
                    f"{self.base}/chat/api/events",
                    params={"after": str(self.last_id)},
                    headers=headers,
                    timeout=timeout,
                ) as response:
                    if response.status != 200:
                        await response.read()
                        self.results.errors[f"GET /chat/api/events HTTP {response.status}"] += 1
                        self.stream_failed = f"HTTP {response.status}"
                    elif "text/event-stream" not in response.headers.get("Content-Type", ""):
                        self.results.errors["GET /chat/api/events: not text/event-stream"] += 1
                        self.stream_failed = "content type"
                    else:
                        self.stream_open.set()
                        await self.parse_stream(response)
                        if not self.closing:
                            self.results.errors["event stream ended by the server"] += 1
            except (aiohttp.ClientError, TimeoutError) as exc:
                if self.closing:
                    return
                self.results.errors[f"event stream broken ({type(exc).__name__})"] += 1
            if self.stream_failed or self.closing:
                break
            reconnects += 1
            if reconnects > MAX_RECONNECTS:
                self.stream_failed = "too many reconnects"
                break
            await asyncio.sleep(0.5)
        self.stream_open.set()
        self.new_event.set()

    async def parse_stream(self, response: aiohttp.ClientResponse) -> None:
        """text/event-stream: `field: value` lines, an empty line ends an event, `:` lines are comments."""
        buffer = b""
        data_lines: list[str] = []
        async for chunk in response.content.iter_any():
            arrived = time.perf_counter()
            buffer += chunk
            while True:
                end = buffer.find(b"\n")
                if end < 0:
                    break
                line = buffer[:end].rstrip(b"\r").decode("utf-8", errors="replace")
                buffer = buffer[end + 1 :]
                if line == "":
                    if data_lines:
                        self.dispatch("\n".join(data_lines), arrived)
                    data_lines = []
                elif line.startswith(":"):
                    continue
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "data":
                        data_lines.append(value)

    def dispatch(self, data: str, arrived: float) -> None:
        try:
            payload = json.loads(data)
        except ValueError:
            self.results.errors["event that is not JSON"] += 1
            return
        event = Event(arrived, payload)
        if event.id and event.id <= self.last_id:
            return  # already seen (a reconnect)
        self.last_id = max(self.last_id, event.id)
        self.events.append(event)
        self.new_event.set()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process from /proc, in kB."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


async def start_bot(folder: Path, port: int, database_url: str, log_fd: int) -> asyncio.subprocess.Process:
    """`klimabot run` without a token: serves the web chat on 127.0.0.1:port."""
    advisors = folder / "advisors.yaml"
    shutil.copy(ROOT / "advisors.example.yaml", advisors)
    # the bot's working folder is the temp folder: spare it retraining the question models
    (folder / "var").mkdir(exist_ok=True)
    for model in (ROOT / "var").glob("question-model*.npz"):
        shutil.copy(model, folder / "var" / model.name)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KLIMABOT_")}
    environment |= {
        "KLIMABOT_HTTP_LISTEN": f"127.0.0.1:{port}",
        "KLIMABOT_DATABASE_URL": database_url,
        "KLIMABOT_INBOX_ADDRESS": "fachstelle@klimabot-bench.de",
        "KLIMABOT_ADVISORS_FILE": str(advisors),
        "KLIMABOT_MAIL_SINK_DIR": str(folder / "sink"),
    }
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("klimabot")),
        "run",
        cwd=folder,
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log_fd,
        stderr=log_fd,
    )


async def wait_until_ready(process: asyncio.subprocess.Process, base: str) -> float:
    """Seconds until `GET /healthz` answers 200 and the web chat's routes are there (at most
    READY_TIMEOUT_SECONDS). `GET /chat/api/me` without a cookie (401) proves the routes without taking a
    token of the new-visitor rate limit, as `GET /chat` would."""
    started = time.perf_counter()
    last = "no answer yet"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        for path, expected in (("/healthz", (200,)), ("/chat/api/me", (200, 401))):
            while True:
                if process.returncode is not None:
                    raise RuntimeError(f"klimabot run stopped (exit {process.returncode})")
                if time.perf_counter() - started > READY_TIMEOUT_SECONDS:
                    raise RuntimeError(f"not ready after {READY_TIMEOUT_SECONDS:.0f} s: GET {path} → {last}")
                try:
                    async with http.get(base + path) as response:
                        await response.read()
                        if response.status in expected:
                            break
                        last = f"HTTP {response.status}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    last = type(exc).__name__
                await asyncio.sleep(0.2)
    return time.perf_counter() - started


async def stop_bot(process: asyncio.subprocess.Process) -> float | None:
    """SIGTERM, then SIGKILL after STOP_TIMEOUT_SECONDS; seconds until it stopped (None: it was killed)."""
    if process.returncode is not None:
        return 0.0
    started = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
        return time.perf_counter() - started
    except TimeoutError:
        process.kill()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 10)
        return None


async def loop_lag(samples: list[float]) -> None:
    """How late this (client) process's event loop wakes up: is the bench itself the bottleneck?"""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.05)
        samples.append(time.perf_counter() - before - 0.05)


async def pg_transactions(database: str) -> int:
    """Committed plus rolled back transactions of a PostgreSQL database so far (pg_stat_database)."""
    connection = await admin_connection()
    try:
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        value = await connection.fetchval(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", database
        )
        return int(value or 0)
    finally:
        await connection.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def milliseconds(values: list[float]) -> str:
    if not values:
        return "–"
    return (
        f"p50 {percentile(values, 0.5) * 1000:.0f} ms, p90 {percentile(values, 0.9) * 1000:.0f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
    )


def visitor_address(number: int) -> str:
    """A client address of its own for every visitor, from 198.18.0.0/15 (set aside for benchmarks)."""
    return f"198.{18 + number // 62500}.{number // 250 % 250}.{number % 250 + 1}"


async def run_load(
    base: str, sessions: int, questions: int, pause: tuple[float, float], limit: float, one_address: bool
):
    """All visitors at once; stops by itself after `limit` seconds at the latest."""
    results = Results()
    spread = random.Random(SEED)
    visitors = [
        Visitor(n, base, results, questions, pause, None if one_address else visitor_address(n))
        for n in range(sessions)
    ]
    delays = [spread.uniform(0, START_SPREAD_SECONDS) if sessions > 1 else 0.0 for _ in visitors]
    started = time.perf_counter()
    tasks = [asyncio.create_task(visitor.run(delay)) for visitor, delay in zip(visitors, delays, strict=True)]
    done, pending = await asyncio.wait(tasks, timeout=limit)
    for task in pending:
        task.cancel()
    if pending:
        results.errors[f"visitor still busy at the time limit ({limit:.0f} s)"] += len(pending)
        await asyncio.wait(pending, timeout=15)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            results.errors[f"bench error ({type(task.exception()).__name__}: {task.exception()})"] += 1
    return results, time.perf_counter() - started


def log_summary(path: Path) -> list[str]:
    """The bot's log lines that look like trouble (errors, tracebacks, warnings), at most 12."""
    trouble = []
    with contextlib.suppress(OSError):
        for line in path.read_text(errors="replace").splitlines():
            if any(word in line for word in ("ERROR", "CRITICAL", "Traceback", "WARNING", "Error")):
                trouble.append(line)
    return trouble


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sessions", type=int, help="simultaneous browser sessions (default 200; --quick 20)"
    )
    parser.add_argument("--questions", type=int, help="questions per session (default 5; --quick 2)")
    parser.add_argument("--quick", action="store_true", help="20 sessions with 2 questions each")
    parser.add_argument("--back-to-back", action="store_true", help="no human pause between the questions")
    parser.add_argument(
        "--pause",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="seconds between an answer and the next question (default 5 15: read, then type)",
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--port", type=int, help="the bot's HTTP port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--log", type=Path, help="keep the bot's log in this file")
    parser.add_argument(
        "--one-address",
        action="store_true",
        help="all visitors from 127.0.0.1 (default: each its own address in X-Forwarded-For, as behind a proxy)",
    )
    args = parser.parse_args()
    sessions = args.sessions if args.sessions is not None else (20 if args.quick else 200)
    questions = args.questions if args.questions is not None else (2 if args.quick else 5)
    if sessions < 1 or questions < 1:
        parser.error("--sessions and --questions must be at least 1")
    pause = (0.0, 0.0) if args.back_to_back else tuple(args.pause or HUMAN_PAUSE_SECONDS)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    # each visitor: start spread, greeting and settling, then per question pause + POST + answer, all bounded
    limit = (
        START_SPREAD_SECONDS
        + 30
        + (questions + 1) * (pause[1] + REQUEST_TIMEOUT_SECONDS + ANSWER_TIMEOUT_SECONDS + LATE_SECONDS)
    )

    scratch = None
    process = None
    xacts = 0
    lag: list[float] = []
    memory: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="klimabot-web-bench-") as tmp:
        folder = Path(tmp)
        log_path = folder / "klimabot.log"
        try:
            if args.database == "postgresql":
                scratch = f"klimabot_bench_{uuid.uuid4().hex[:10]}"
                await pg_admin(f'CREATE DATABASE "{scratch}"')
                database_url = scratch_url(scratch)
            else:
                database_url = f"sqlite:///{folder / 'web-chat.db'}"
            log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                process = await start_bot(folder, port, database_url, log_fd)
            finally:
                os.close(log_fd)  # the child has its own copy
            try:
                ready = await wait_until_ready(process, base)
            except RuntimeError as exc:
                print(f"klimabot is not serving the web chat: {exc}", file=sys.stderr)
                print("--- last lines of its log ---", file=sys.stderr)
                print("\n".join(log_path.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
                return 1
            after_start = memory_kb(process.pid).get("VmRSS", 0)
            monitor = asyncio.create_task(loop_lag(lag))
            load_before, cpu_before = load_average(), cpu_seconds(process.pid)
            xacts_before = await pg_transactions(scratch) if scratch else 0
            try:
                results, total = await run_load(base, sessions, questions, pause, limit, args.one_address)
            finally:
                monitor.cancel()
            cpu = cpu_seconds(process.pid) - cpu_before
            load_after = load_average()
            if scratch:
                await asyncio.sleep(1.0)  # backends report their statistics at most once a second when idle
                xacts = await pg_transactions(scratch) - xacts_before
            alive = process.returncode is None
            memory = memory_kb(process.pid)
        finally:
            stopped = await stop_bot(process) if process is not None else 0.0
            if scratch is not None:
                with contextlib.suppress(Exception):
                    await pg_admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            if args.log is not None and log_path.exists():
                shutil.copy(log_path, args.log)
        trouble = log_summary(log_path)

    asked = sessions * questions
    errors = sum(results.errors.values())
    # for the goal an answer that never came counts as slower than any that did
    judged = results.answers + [float("inf")] * (asked - len(results.answers))
    p99 = percentile(judged, 0.99)
    print(f"klimabot web chat on {database_url.split(':', 1)[0]}; nproc {len(os.sched_getaffinity(0))}")
    print(
        f"sessions: {sessions} ({results.sessions_finished} finished), {questions} questions each, "
        + ("back to back" if args.back_to_back else f"human pause {pause[0]}–{pause[1]} s")
        + ("; all from 127.0.0.1" if args.one_address else "; each from its own address (X-Forwarded-For)")
        + f"; ready after {ready:.1f} s"
    )
    print(f"answers: {len(results.answers)} of {asked}")
    print(
        f"errors: {errors}" + "".join(f"\n  {count} × {kind}" for kind, count in results.errors.most_common())
    )
    print(f"per-answer latency: {milliseconds(results.answers)}")
    print(f"greeting after /start: {milliseconds(results.greetings)}")
    if results.late:
        print(f"late (errors, not in the latencies): {len(results.late)}, {milliseconds(results.late)}")
    print(f"POST /chat/api/send response: {milliseconds(results.posts)}")
    print(f"answers/s: {len(results.answers) / total:.1f} (load phase {total:.1f} s)")
    turns = len(results.answers) + len(results.greetings) + len(results.late)
    print(
        f"bot process CPU in the load phase: {cpu:.1f} s = {cpu / total * 100:.0f} % of one core"
        + (f", {cpu / turns * 1000:.0f} ms per answered message" if turns else "")
    )
    if scratch and turns:
        print(
            f"PostgreSQL transactions in the load phase: {xacts} ({xacts / turns:.1f} per answered message)"
        )
    print(f"machine load average (1/5/15 min) before the load: {load_before}, after: {load_after}")
    print(f"events received: {results.events}, of them bot messages: {results.bot_messages}")
    print(
        f"bot process memory: peak RSS (VmHWM) {memory.get('VmHWM', 0) / 1024:.0f} MB, "
        f"RSS at the end {memory.get('VmRSS', 0) / 1024:.0f} MB, after start-up {after_start / 1024:.0f} MB"
    )
    if lag:
        print(
            f"bench event-loop lag: p99 {percentile(lag, 0.99) * 1000:.0f} ms, max {max(lag) * 1000:.0f} ms"
        )
    if not alive:
        print(f"!! the bot process had stopped by itself (exit {process.returncode})")
    print("bot stopped after SIGTERM in " + (f"{stopped:.1f} s" if stopped is not None else "– (killed)"))
    if trouble:
        print(f"bot log: {len(trouble)} lines with errors or warnings, the first:")
        for line in trouble[:12]:
            print(f"  {line[:300]}")
    missing = asked - len(results.answers)
    because = f" ({missing} of {asked} answers missing, counted as slower than 10 s)" if missing else ""
    print(f"per-answer p99 ≤ {GOAL_P99_MS} ms: {'✔' if p99 * 1000 <= GOAL_P99_MS else '✘'}{because}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
