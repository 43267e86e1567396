"""Benchmarks `ask`: in-process latency (real and synthetic knowledge bases), start-up time and peak memory.

Run: .venv/bin/python bench/bench_ask.py [--quick]
Goal (issue): p99 under 2 ms with 1,000 entries and under 10 ms with 10,000 entries.
Latency is measured on the eval questions of tests/eval/*.yaml (the realistic query mix): a first pass
where each question is new to the process (typo-correction and term caches cold for its words), then
warm rounds; the goals are judged on the warm rounds. Everything is local; no network.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.intents import load_intent_examples  # noqa: E402
from knowledge.model import Entry, load_entries  # noqa: E402
from knowledge.text import words  # noqa: E402
from knowledge.training import refit  # noqa: E402
from services.answering import AnsweringService  # noqa: E402
from tests.eval_set import load_eval_items  # noqa: E402

SEED = 20251125
SIZES = (1_000, 10_000)
GOALS_MS = {1_000: 2.0, 10_000: 10.0}
STARTUP_QUESTION = "Wie hoch ist der Fördersatz?"
WARMUP_QUERIES = 20
SUBPROCESS_TIMEOUT = 300
# Tags are matched only to be kept; words of 4+ letters are the ones recombined.
_WORD_OR_TAG = re.compile(r"<[^>]*>|[A-Za-zÄÖÜäöüß]{4,}")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")
_NOUN = re.compile(r"[A-ZÄÖÜ][a-zäöüß]{3,11}")
# Runs a command and writes "wall-seconds max-rss exit-code". A small process spawns it because Linux
# carries the spawning process's RSS high-water mark into the child's ru_maxrss (this one grows large).
_SPAWNER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - start} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


@dataclass
class Pool:
    """Real material of some entries, to recombine into synthetic ones."""

    titles: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    nouns: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        """Take the titles, questions, keywords, answer sentences and words of one entry."""
        self.titles.append(entry.title)
        self.questions.extend(entry.questions)
        self.examples.extend(entry.examples)
        self.keywords.extend(entry.keywords)
        self.sentences.extend(s.strip() for s in _SENTENCE_END.split(entry.answer) if len(s.strip()) > 15)
        for text in (entry.title, *entry.questions, *entry.keywords, entry.answer):
            for token in _WORD_OR_TAG.findall(text):
                if not token.startswith("<"):
                    (self.nouns if token[0].isupper() else self.others).append(token)


class Synthesizer:
    """Deterministic generator of entries that look like the real ones (same topics, phrasing, lengths)."""

    def __init__(self, entries: list[Entry], size: int, seed: int = SEED):
        self.rng = random.Random(seed + size)
        self.entries = entries
        self.everything = Pool()
        self.by_topic: dict[str, Pool] = defaultdict(Pool)
        for entry in entries:
            self.everything.add(entry)
            self.by_topic[entry.topic].add(entry)
        self.novel = self._novel_compounds(size)

    def _novel_compounds(self, size: int) -> list[str]:
        """New German compounds of real nouns, so the vocabulary grows like Heaps' law (beta 0.5)."""
        real = {w.casefold() for w in self.everything.nouns + self.everything.others}
        target = int(len(real) * (math.sqrt((size + len(self.entries)) / len(self.entries)) - 1))
        nouns = sorted({n for n in self.everything.nouns if _NOUN.fullmatch(n)})
        novel: set[str] = set()
        for _ in range(target * 5):
            if len(novel) >= target:
                break
            word = self.rng.choice(nouns) + self.rng.choice(nouns).lower()
            if word.casefold() not in real:
                novel.add(word)
        return sorted(novel)

    def _word(self, pool: Pool, capital: bool) -> str:
        """A replacement word: mostly from the topic, some from anywhere, some new compounds."""
        roll = self.rng.random()
        if capital and roll < 0.2 and self.novel:
            return self.rng.choice(self.novel)
        source = pool if roll < 0.8 else self.everything
        return self.rng.choice(source.nouns if capital else source.others)

    def _mutate(self, text: str, pool: Pool, rate: float) -> str:
        """`text` with about `rate` of its longer words swapped for others; markup kept."""

        def swap(match: re.Match) -> str:
            token = match.group()
            if token.startswith("<") or self.rng.random() >= rate:
                return token
            return self._word(pool, token[0].isupper())

        return _WORD_OR_TAG.sub(swap, text)

    def entry(self, number: int) -> Entry:
        """One synthetic entry, modelled on a random real entry of the same topic."""
        rng = self.rng
        base = rng.choice(self.entries)
        pool = self.by_topic[base.topic]
        title = self._mutate(rng.choice(pool.titles), pool, 0.5)[:120].strip()
        questions = [self._mutate(rng.choice(pool.questions), pool, 0.4) for _ in range(rng.randint(3, 6))]
        keywords = {
            self._mutate(k, pool, 0.3)
            for k in rng.sample(pool.keywords, min(rng.randint(4, 14), len(pool.keywords)))
        }
        examples = (
            {self._mutate(rng.choice(pool.examples), pool, 0.4) for _ in range(rng.randint(15, 25))}
            if pool.examples
            else set()
        )
        sentences = rng.sample(pool.sentences, min(rng.randint(3, 7), len(pool.sentences)))
        return Entry(
            id=f"syn-{base.topic}-{number:05d}",
            title=title if len(title) >= 5 else base.title,
            topic=base.topic,
            questions=questions,
            keywords=sorted(keywords),
            examples=sorted(examples),
            answer=" ".join(self._mutate(s, pool, 0.3) for s in sentences),
            sources=base.sources,
            reviewed=base.reviewed,
            review_by=base.review_by,
        )

    def make(self, count: int) -> list[Entry]:
        """`count` synthetic entries."""
        return [self.entry(number) for number in range(count)]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


@dataclass(frozen=True)
class Latency:
    """Summary of per-query times in milliseconds."""

    count: int
    p50: float
    p90: float
    p99: float
    max: float
    qps: float

    @classmethod
    def of(cls, times_ms: list[float]) -> Latency:
        """Summarise raw timings."""
        ordered = sorted(times_ms)
        return cls(
            len(ordered),
            percentile(ordered, 50),
            percentile(ordered, 90),
            percentile(ordered, 99),
            ordered[-1],
            1000 * len(ordered) / sum(ordered),
        )

    def line(self) -> str:
        """One printable line."""
        return (
            f"n={self.count:5}  p50 {self.p50:6.3f} ms  p90 {self.p90:6.3f} ms  p99 {self.p99:6.3f} ms  "
            f"max {self.max:6.3f} ms  {self.qps:7.0f} q/s"
        )


def eval_questions() -> list[str]:
    """The eval questions, in file order."""
    return [item.question for item in load_eval_items()]


def time_rounds(service: AnsweringService, questions: list[str], rounds: int) -> tuple[Latency, Latency]:
    """Warm up on entry titles, then time every question `rounds` times: (first pass, warm rounds)."""
    for entry in service.entries[:WARMUP_QUERIES]:
        service.answer(entry.title)
    passes: list[list[float]] = []
    for _ in range(rounds):
        gc.collect()
        times = []
        for question in questions:
            start = time.perf_counter_ns()
            service.answer(question)
            times.append((time.perf_counter_ns() - start) / 1e6)
        passes.append(times)
    warm = [t for times in passes[1:] for t in times] or passes[0]
    return Latency.of(passes[0]), Latency.of(warm)


def mean_words(entries: list[Entry]) -> float:
    """Average number of words of an entry (title, questions, keywords, answer)."""
    return statistics.fmean(
        len(words(" ".join((e.title, *e.questions, *e.keywords, e.answer)))) for e in entries
    )


@dataclass
class Result:
    """One in-process latency run."""

    entries: int
    synthetic: int
    build_s: float
    first: Latency
    warm: Latency


def bench_real(questions: list[str], rounds: int) -> Result:
    """Latency with the real knowledge base, built the way the bot builds it."""
    from bot.app import build_answering
    from bot.settings import Settings

    start = time.perf_counter()
    service = build_answering(Settings())
    build = time.perf_counter() - start
    first, warm = time_rounds(service, questions, rounds)
    entries = service.entries
    vocabulary = service.index.size
    print(f"\n## real knowledge base: {len(entries)} entries, {mean_words(entries):.0f} words/entry")
    print(f"  build (load YAML + index): {build:.2f} s, vocabulary {vocabulary:,}")
    print(f"  first pass  {first.line()}")
    print(f"  warm        {warm.line()}")
    return Result(len(entries), 0, build, first, warm)


def bench_synthetic(real: list[Entry], size: int, questions: list[str], rounds: int) -> Result:
    """Latency with the real entries plus `size` synthetic ones."""
    start = time.perf_counter()
    synthetic = Synthesizer(real, size).make(size)
    generated = time.perf_counter() - start
    gc.collect()
    start = time.perf_counter()
    service = synthetic_service(real + synthetic)
    build = time.perf_counter() - start
    first, warm = time_rounds(service, questions, rounds)
    vocabulary = service.index.size
    print(f"\n## {len(real)} real + {size:,} synthetic entries ({mean_words(synthetic):.0f} words/entry)")
    cells = service.model.weights.shape
    print(
        f"  generate {generated:.2f} s, index + model build {build:.2f} s, vocabulary {vocabulary:,}, "
        f"model {cells[0]:,} features x {cells[1]:,} labels ({service.model.weights.nnz:,} weights)"
    )
    print(f"  first pass  {first.line()}")
    print(f"  warm        {warm.line()}")
    return Result(len(real) + size, size, build, first, warm)


def run_measured(command: list[str], stdin_text: str | None = None) -> tuple[float, float, str]:
    """Run a command from the project root: (wall seconds, peak RSS in MB, stdout); raises on failure."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        tempfile.TemporaryFile() as stdin,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        stdin.write((stdin_text or "").encode())
        stdin.seek(0)
        result = Path(tmp) / "result"
        spawner = [sys.executable, "-S", "-c", _SPAWNER, str(result), *command]
        proc = subprocess.Popen(
            spawner, cwd=ROOT, stdin=stdin, stdout=out, stderr=err, start_new_session=True
        )
        try:
            proc.wait(timeout=SUBPROCESS_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        wall, max_rss, code = result.read_text().split()
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0 or code != "0":
            raise RuntimeError(f"{' '.join(command)} exited {code}: {err.read().decode()[-800:]}")
        # ru_maxrss is in KiB on Linux, in bytes on macOS
        rss_mb = int(max_rss) / (1024 * 1024 if sys.platform == "darwin" else 1024)
        return float(wall), rss_mb, out.read().decode()


@dataclass(frozen=True)
class Process:
    """Wall time (median) and peak RSS (max) of repeated runs of one command."""

    label: str
    wall_s: float
    rss_mb: float
    runs: int


def bench_process(label: str, command: list[str], runs: int, stdin_text: str | None = None) -> Process:
    """One untimed run (file caches), then `runs` timed runs."""
    run_measured(command, stdin_text)
    walls, rss = [], []
    for _ in range(runs):
        wall, peak, _out = run_measured(command, stdin_text)
        walls.append(wall)
        rss.append(peak)
    result = Process(label, statistics.median(walls), max(rss), runs)
    spread = f"min {min(walls):.3f} s, max {max(walls):.3f} s"
    print(f"  {label:58} median {result.wall_s:.3f} s ({spread}), peak RSS {result.rss_mb:.0f} MB")
    return result


def klimabot_command() -> Path:
    """The console script next to the running interpreter (the venv's), else in the project venv."""
    beside = Path(sys.executable).parent / "klimabot"
    return beside if beside.exists() else ROOT / ".venv/bin/klimabot"


def bench_processes(questions: list[str], runs: int) -> list[Process]:
    """Start-up time and peak memory of the CLI, and peak memory of in-process runs (real KB, +10,000)."""
    klimabot = str(klimabot_command())
    ask = [klimabot, "ask", "--json", STARTUP_QUESTION]
    print(f"\n## processes ({runs} timed runs each after one untimed run)")
    record = json.loads(run_measured(ask)[2].splitlines()[-1])
    print(f"  check: ask -> kind={record['kind']} entry={record['entry_id']}")
    batch = "\n".join(" ".join(q.split()) for q in questions) + "\n"
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    return [
        bench_process("`python -c pass` (reference)", [sys.executable, "-c", "pass"], runs),
        bench_process("`klimabot --help` (reference)", [klimabot, "--help"], runs),
        bench_process(f'`klimabot ask --json "{STARTUP_QUESTION}"`', ask, runs),
        bench_process(f"`klimabot ask --json -`, {len(questions)} questions", [*ask[:3], "-"], runs, batch),
        bench_process("in-process, real KB: build + answer each question", [*me, "0"], 1),
        bench_process(f"in-process, +{SIZES[-1]:,} synthetic: build + answer each", [*me, str(SIZES[-1])], 1),
    ]


def synthetic_service(entries: list[Entry]) -> AnsweringService:
    """Example index and question model for `entries`, trained with the real model's limits (no CV)."""
    from bot.app import build_answering
    from bot.settings import Settings

    real = build_answering(Settings())
    intents = load_intent_examples()
    return AnsweringService(entries, refit(entries, intents, real.trained.calibration))


def child(size: int) -> None:
    """Body of a memory-measuring subprocess: build the KB (+ `size` synthetic), answer every question once."""
    real, _ = load_entries()
    service = synthetic_service(real + Synthesizer(real, size).make(size))
    for question in eval_questions():
        service.answer(question)


def machine() -> str:
    """CPU count, CPU model, OS and Python version."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        model = names[0] if names else model
    return f"{cpus} CPUs (nproc), {model}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def markdown(
    results: list[Result], processes: list[Process], rounds: int, questions: int, load: float
) -> str:
    """The README table and the goal verdicts."""
    lines = [
        f"Machine: {machine()}; load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at end.",
        f"Query mix: {questions} eval questions (tests/eval), first pass + {max(rounds - 1, 1)} warm round(s); "
        "latency of `AnsweringService.answer` in-process.",
        "",
        "| Measurement | Result | Goal |",
        "| --- | --- | --- |",
    ]
    verdicts = []
    for r in results:
        goal = GOALS_MS.get(r.synthetic)
        verdict = "–"
        if goal is not None:
            verdict = f"p99 < {goal:g} ms: {'met' if r.warm.p99 < goal else 'MISSED'}"
            verdicts.append(f"Goal at {r.synthetic:,} entries: {verdict} (measured {r.warm.p99:.2f} ms).")
        what = "real KB" if not r.synthetic else f"real + {r.synthetic:,} synthetic"
        lines.append(
            f"| `ask` latency, {what} ({r.entries:,} entries, index {r.build_s:.2f} s) | "
            f"p50 {r.warm.p50:.2f} ms · p99 {r.warm.p99:.2f} ms · max {r.warm.max:.2f} ms "
            f"(first pass p99 {r.first.p99:.2f} ms) | {verdict} |"
        )
    for p in processes:
        wall = f"{p.wall_s:.2f} s wall" + (f" (median of {p.runs})" if p.runs > 1 else "")
        lines.append(f"| {p.label} | {wall} · peak RSS {p.rss_mb:.0f} MB | – |")
    return "\n".join([*lines, "", *verdicts])


def main() -> None:
    """Run all benchmarks and print the summary table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short smoke-test run")
    parser.add_argument("--child", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    rounds, runs = (2, 2) if args.quick else (6, 7)
    load = os.getloadavg()[0]
    questions = eval_questions()
    print(f"klimabot ask benchmark ({'quick' if args.quick else 'full'}): {machine()}")
    real, problems = load_entries()
    if problems:
        print(f"  note: {len(problems)} entries skipped: {[p.path.name for p in problems]}")
    results = [bench_real(questions, rounds)]
    results += [bench_synthetic(real, size, questions, rounds) for size in SIZES]
    processes = bench_processes(questions, runs)
    print("\n## summary (paste into the README)\n")
    print(markdown(results, processes, rounds, len(questions), load))


if __name__ == "__main__":
    main()
