"""Ranking quality: klimabot's top entry next to a plain BM25 over the same entry texts.

Run: .venv/bin/python bench/bench_ranking.py
The plain BM25 has no stemming, synonyms, dialect or typo handling: lower-cased words of each entry's
title, questions, keywords and answer (the entry texts before #8), and once more with the curated
examples added. All rank only knowledge entries (no small talk).
Question sets: the project's own (tests/eval, expected entry ids) and, when present, the shared dev
set by another author (../shared/eval-dev, a top entry is right when its answer holds an expected
figure or name), whole and by half.
Goal (issue #8): our top-1 at least 10 points above the plain BM25.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_answering  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.markup import visible_text  # noqa: E402
from knowledge.model import Entry  # noqa: E402
from tests.eval_set import EVAL_DIR, HARD_DIR, HOLDOUT_DIR, load_eval_items  # noqa: E402

DEV_SET = ROOT.parent / "shared" / "eval-dev" / "questions.yaml"
_WORD = re.compile(r"\w+")


class PlainBM25:
    """Okapi BM25 (k1 1.5, b 0.75) over lower-cased words, nothing else."""

    def __init__(self, entries: list[Entry], *, examples: bool, k1: float = 1.5, b: float = 0.75):
        self.entries = entries
        self.k1, self.b = k1, b
        texts = [" ".join((e.title, *e.questions, *e.keywords, e.answer)) for e in entries]
        if examples:
            texts = [" ".join((text, *e.examples)) for text, e in zip(texts, entries, strict=True)]
        self.docs = [Counter(_WORD.findall(text.lower())) for text in texts]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.average = sum(self.lengths) / len(self.lengths)
        df = Counter(word for doc in self.docs for word in doc)
        n = len(self.docs)
        self.idf = {word: math.log(1 + (n - f + 0.5) / (f + 0.5)) for word, f in df.items()}

    def top(self, text: str) -> Entry:
        """The best-scoring entry."""
        words = _WORD.findall(text.lower())
        best, best_score = self.entries[0], -1.0
        for entry, doc, length in zip(self.entries, self.docs, self.lengths, strict=True):
            score = 0.0
            for word in words:
                tf = doc.get(word)
                if tf:
                    norm = tf + self.k1 * (1 - self.b + self.b * length / self.average)
                    score += self.idf[word] * tf * (self.k1 + 1) / norm
            if score > best_score:
                best, best_score = entry, score
        return best


@dataclass
class Tally:
    """Right top entries of both systems on one question set."""

    name: str
    questions: int = 0
    ours: int = 0
    plain: int = 0
    plain_examples: int = 0

    def add(self, ours: bool, plain: bool, plain_examples: bool) -> None:
        """Count one question."""
        self.questions += 1
        self.ours += ours
        self.plain += plain
        self.plain_examples += plain_examples

    def line(self) -> str:
        """One printable line."""
        n = max(self.questions, 1)

        def pct(count: int) -> str:
            return f"{100 * count / n:.1f} %"

        return (
            f"| {self.name} | {self.questions} | {pct(self.ours)} | {pct(self.plain)} "
            f"({100 * (self.ours - self.plain) / n:+.1f}) | {pct(self.plain_examples)} "
            f"({100 * (self.ours - self.plain_examples) / n:+.1f}) |"
        )


def main() -> None:
    """Rank every question with both systems and print the table."""
    service = build_answering(Settings())
    entries = service.entries
    plain = PlainBM25(entries, examples=False)
    plain_examples = PlainBM25(entries, examples=True)
    tallies = []
    for name, directory in (
        ("own set (tests/eval)", EVAL_DIR),
        ("holdout set (tests/holdout)", HOLDOUT_DIR),
        ("hard development set (tests/hard)", HARD_DIR),
    ):
        tally = Tally(name)
        for item in load_eval_items(directory):
            if item.expect in {"help", "escalate", "suggest"}:
                continue
            ours = service.best_entry(item.question)
            tally.add(
                ours is not None and ours.id == item.expect,
                plain.top(item.question).id == item.expect,
                plain_examples.top(item.question).id == item.expect,
            )
        tallies.append(tally)
    if DEV_SET.exists():
        items = [i for i in yaml.safe_load(DEV_SET.read_text(encoding="utf-8")) if i["expect"] == "kb"]
        halves = {"a": Tally("shared dev set, half a"), "b": Tally("shared dev set, half b")}
        for item in items:
            half = halves["a" if int(item["id"][1:]) % 2 else "b"]
            text = item["q"].replace("\n", " ")

            def right(entry: Entry | None, expected=item["expect_any"]) -> bool:
                body = f" {entry.title} {visible_text(entry.answer)} ".lower() if entry else ""
                return any(e.lower() in " ".join(body.split()) for e in expected)

            half.add(right(service.best_entry(text)), right(plain.top(text)), right(plain_examples.top(text)))
        whole = Tally("shared dev set, whole")
        for half in halves.values():
            whole.questions += half.questions
            whole.ours += half.ours
            whole.plain += half.plain
            whole.plain_examples += half.plain_examples
        tallies += [whole, *halves.values()]
    print(f"Top-1 over {len(entries)} entries (knowledge questions only)\n")
    print(
        "| question set | questions | klimabot | plain BM25 over title, questions, keywords, answer (diff.) "
        "| plain BM25 with the examples too (diff.) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for tally in tallies:
        print(tally.line())


if __name__ == "__main__":
    main()
