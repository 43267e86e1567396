"""Reply-extraction cases with expected outputs, derived from the shared corpora (no copies)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPORA = SHARED / "corpora"
CRISP = CORPORA / "crisp-oss-email-reply-parser"
ZAPIER = CORPORA / "zapier-email-reply-parser" / "test" / "emails"
SYNTHETIC = CORPORA / "synthetic-de-reply-headers"

# crisp's email_2 assertion is about its first *fragment* ("Hi,"), which for a bottom-posted inline reply is
# not the visible reply; the same text is scored through zapier's email_1_2 expectation instead.
CRISP_NOT_VISIBLE_TEXT = {"email_2"}


@dataclass(frozen=True)
class ReplyCase:
    """One input text and what the extracted reply must (or must not) be."""

    source: str
    name: str
    text: str
    exact: str | None = None
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Compare texts modulo line-end whitespace, CRLF and runs of blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def passes(case: ReplyCase, result: str | None) -> bool:
    """True when `result` meets every expectation of `case`."""
    got = normalise(result or "")
    if case.exact is not None and got != normalise(case.exact):
        return False
    if any(normalise(part) not in got for part in case.contains):
        return False
    return not any(part in got for part in case.absent)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def crisp_cases() -> list[ReplyCase]:
    """crisp-oss fixtures with the assertion values from expected_assertions.json."""
    spec = json.loads((CRISP / "expected_assertions.json").read_text(encoding="utf-8"))
    fixtures = CRISP / "test" / "fixtures"
    cases = [
        ReplyCase("crisp", name, _read(fixtures / f"{name}.txt"), exact=spec["common_first_fragment"])
        for name in spec["expect_first_fragment_equals_common"]
    ]
    for key in ("expect_first_fragment_exact", "expect_visible_text_exact"):
        for name, expected in spec[key].items():
            if name not in CRISP_NOT_VISIBLE_TEXT:
                cases.append(ReplyCase("crisp", name, _read(fixtures / f"{name}.txt"), exact=expected))
    # A single fragment means: nothing quoted, no signature, so the whole text is the reply.
    for name, count in spec["expect_fragment_count"].items():
        if count == 1:
            text = _read(fixtures / f"{name}.txt")
            cases.append(ReplyCase("crisp", name, text, exact=text))
    return cases


def zapier_cases() -> list[ReplyCase]:
    """zapier fixtures with visible-text expectations taken from upstream test_email_reply_parser.py."""

    def case(name: str, **expect: object) -> ReplyCase:
        return ReplyCase("zapier", name, _read(ZAPIER / f"{name}.txt"), **expect)  # type: ignore[arg-type]

    whole = {
        name: _read(ZAPIER / f"{name}.txt") for name in ("email_1_5", "email_sig_delimiter_in_middle_of_line")
    }
    return [
        case("email_1_1", contains=("folks",), absent=("riak-users",)),
        case(
            "email_1_2",
            contains=("You can list the keys for the bucket",),
            absent=("riak-users mailing list",),
        ),
        case("email_1_4", contains=("Awesome",), absent=("Loader",)),
        case("email_1_5", exact=whole["email_1_5"]),
        case("email_1_6", contains=("I get",), absent=("Corey Donohoe",)),
        case("email_1_7", contains=(":+1:",), absent=("Steps 0-2",)),
        case(
            "email_1_8",
            contains=("I will reply under this one", "and under this."),
            absent=("Hey there, this is my signature",),
        ),
        case("correct_sig", exact="this is an email with a correct -- signature."),
        case("email_2_1", exact="Outlook with a reply"),
        case("email_2_2", exact="Outlook with a reply directly above line"),
        case("email_2_3", exact="Outlook with a reply above headers using unusual format"),
        case("email_iPhone", contains=("Here is another email",), absent=("Sent from my iPhone",)),
        case("email_one_is_not_on", contains=("One outstanding",), absent=("Dave Tapley wrote:",)),
        case("email_gmail", contains=("This is a test for inbox replying",), absent=("Steven Scott",)),
        case(
            "email_partial_quote_header",
            contains=(
                "On your remote host you can run:",
                "telnet 127.0.0.1 52698",
                "This should connect to TextMate",
            ),
            absent=("George Plymale",),
        ),
        case("email_headers_no_delimiter", exact="And another reply!"),
        case(
            "greedy_on",
            contains=("On your remote host you can run:",),
            absent=("George Plymale", "I think you're onto something"),
        ),
        case("email_sig_delimiter_in_middle_of_line", exact=whole["email_sig_delimiter_in_middle_of_line"]),
    ]


def synthetic_cases(eml_to_text: Callable[[bytes], str] | None = None) -> list[ReplyCase]:
    """Our German fixtures with the 'visible' text from expected.json (.eml bodies via `eml_to_text`)."""
    spec = json.loads((SYNTHETIC / "expected.json").read_text(encoding="utf-8"))
    cases = []
    for name, expect in spec.items():
        if name.startswith("_") or "visible" not in expect:
            continue
        path = SYNTHETIC / name
        if name.endswith(".eml"):
            if eml_to_text is None:
                continue
            text = eml_to_text(path.read_bytes())
        else:
            text = _read(path)
        cases.append(ReplyCase("synthetic-de", name, text, exact=expect["visible"]))
    return cases


def all_cases(eml_to_text: Callable[[bytes], str] | None = None) -> list[ReplyCase]:
    """Every scored case of the three corpora that come with expected outputs."""
    return crisp_cases() + zapier_cases() + synthetic_cases(eml_to_text)


def score(extract: Callable[[str], str | None], cases: list[ReplyCase]) -> tuple[float, list[ReplyCase]]:
    """The share of cases `extract` gets right, and the failures."""
    failures = []
    for case in cases:
        try:
            ok = passes(case, extract(case.text))
        except Exception:  # a library that crashes on an input simply fails that case
            ok = False
        if not ok:
            failures.append(case)
    return 1 - len(failures) / len(cases), failures
