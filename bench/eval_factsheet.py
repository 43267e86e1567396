"""Scores the answering on the fact-sheet set (tests/factsheet/*.yaml): messages written by separate
authors from the fact sheet alone, never from the knowledge base, so they also find facts the entries
do not answer. Scored like the shared development set: a `kb` item needs an answer whose text holds one
of its `expect_any` strings (an answer without one counts as confidently wrong), `escalate` an offer of a
person, `smalltalk_or_help` a friendly reply.

Run: .venv/bin/python bench/eval_factsheet.py [--half a|b] [-v]
Like the shared set, it has two halves: `a` (odd numbers) is where misses may be looked at, `b` (even
numbers) only measures. Nothing is trained on it and no limit is chosen from it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import Settings  # noqa: E402
from services.answering import AnswerKind, load_answering_service  # noqa: E402
from services.presenting import render_plain  # noqa: E402
from tests.eval_set import load_factsheet_items  # noqa: E402

KIND_EXPECTED = {"escalate": AnswerKind.ESCALATE, "smalltalk_or_help": AnswerKind.HELP}


def normalised(text: str) -> str:
    """Lower case, every run of white space (no-break spaces too) one blank."""
    return " " + " ".join(text.lower().replace("\u00a0", " ").replace("\u202f", " ").split()) + " "


def main() -> None:
    """Print the figures per persona, the summary and, with -v, one line per miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["a", "b"], help="a: odd numbers (look here), b: even (measure)")
    parser.add_argument("-v", action="store_true", help="one line per miss")
    args = parser.parse_args()
    settings = Settings()
    answering = load_answering_service(settings.knowledge_dir, settings.model_file)
    items = load_factsheet_items(args.half)
    total, good, wrong = Counter(), Counter(), 0
    persona_good, persona_total = Counter(), Counter()
    for item in items:
        answer = answering.answer(str(item["q"]))
        expected = item["expect"]
        if expected == "kb":
            text = normalised(render_plain(answer, contact=settings.fachstelle_email))
            hit = any(term.lower() in text for term in item["expect_any"])
            ok = answer.kind is AnswerKind.ANSWER and hit
            wrong += answer.kind is AnswerKind.ANSWER and not hit
        else:
            ok = answer.kind is KIND_EXPECTED[expected]
        total[expected] += 1
        good[expected] += ok
        persona_total[item["persona"]] += 1
        persona_good[item["persona"]] += ok
        if args.v and not ok:
            got = answer.entry.id if answer.entry else answer.reason
            print(
                f"MISS {item['id']} [{expected}] got {answer.kind} {got} ({answer.score:.2f}): {item['q'][:100]!r}"
            )
    for persona in sorted(persona_total):
        print(f"  persona {persona}: {persona_good[persona]}/{persona_total[persona]}")
    kb = total["kb"] or 1
    print(
        f"answers {good['kb']}/{total['kb']} ({100 * good['kb'] / kb:.0f}%) confident-wrong {wrong} "
        f"({100 * wrong / kb:.1f}%)  escalate {good['escalate']}/{total['escalate']}  "
        f"help {good['smalltalk_or_help']}/{total['smalltalk_or_help']}"
    )


if __name__ == "__main__":
    main()
