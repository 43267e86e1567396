"""The framing of an e-mail-style message: salutation, greeting, subject line, sign-off and signature."""

from __future__ import annotations

import re

from knowledge.text import fold

_GREETING_LINE = re.compile(
    r"^\s*(hallo|hi|hey|moin|servus|gruess gott|gruezi|guten (morgen|tag|mittag|abend)|liebe[rs]?|"
    r"sehr geehrte[rs]?|dear|hello|good (morning|afternoon))\b"
    r"(?:[^.?!]|\b(?:dr|prof|dipl|ing|mr|mrs|ms)\.){0,40}[\s,.!:]*$"
)
# "Betreff: …", "AW: …": the subject line of a pasted e-mail
_SUBJECT_LINE = re.compile(r"^\s*(betreff|subject|aw|re|wg|fw|fwd):\s")
_GREETING_PREFIX = re.compile(
    r"^\s*(hallo|hi|hey|moin|servus|guten (morgen|tag|mittag|abend)|hello|good (morning|afternoon))\b"
    # where the writer greets from: "Hallo aus Fulda, wie hoch …" (up to a comma or the end)
    r"(\s+(aus|from|vom)\s+[\w-]+(\s+[\w-]+){0,3}(?=\s*([,.!:;]|[^\w\s]*\s*$)))?"
    r"([\s,.!]*[:;]-?[)D])?[\s,.!:]*",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^\s*(mit freundlichen gruessen|freundliche gruesse|viele gruesse|beste gruesse|liebe gruesse|"
    r"herzliche gruesse|schoene gruesse|gruss|gruesse|mfg|lg|vg|best regards|kind regards|regards|"
    r"best|cheers|thanks in advance|danke im voraus|vielen dank im voraus|vielen dank und|"
    r"i\.\s?a\.|--\s*)\b"
)
_THANKS_LINE = re.compile(
    r"^\s*(vielen dank|danke|besten dank)[\s,.!]*(fuer ihre (hilfe|muehe|antwort))?[\s,.!]*$"
)


# The same framing when an e-mail arrives as one line (pasted into a chat, joined by a form): a
# salutation up to its comma at the start, a sign-off with the signature block after it at the end.
_GRUESSE = r"gr(?:ü|ue)(?:ß|ss)(?:e|en)?"
_INLINE_SALUTATION = re.compile(
    r"^\s*(sehr geehrte[rs]?|liebe[rs]?|hallo|guten (?:tag|morgen|abend)|dear|hello|hi)\b[^,.!?:\n]{0,60}[,!:]\s+",
    re.IGNORECASE,
)
_INLINE_SIGNOFF = re.compile(
    rf"\b(mit (?:freundlichen|besten|herzlichen|kollegialen) {_GRUESSE}|(?:freundliche|viele|beste|liebe|herzliche|"
    rf"sch(?:ö|oe)ne) {_GRUESSE}|mfg|best regards|kind regards|best wishes|yours (?:sincerely|faithfully))\b",
    re.IGNORECASE,
)
# a sign-off this far into a message ends it; earlier it is part of a sentence
MIN_TEXT_BEFORE_SIGNOFF = 20


def _strip_inline_framing(text: str) -> str:
    without_salutation = _INLINE_SALUTATION.sub("", text, count=1)
    signoffs = list(_INLINE_SIGNOFF.finditer(without_salutation))
    if signoffs and signoffs[-1].start() >= MIN_TEXT_BEFORE_SIGNOFF:
        without_salutation = without_salutation[: signoffs[-1].start()]
    return without_salutation.strip() or text.strip()


def strip_mail_framing(text: str) -> str:
    """Drop greeting lines, a leading greeting and the signature of an e-mail-style message (also when
    the whole e-mail is one line)."""
    lines = text.strip().splitlines()
    kept: list[str] = []
    for line in lines:
        folded = fold(line)
        if _SIGNOFF.match(folded) and kept:
            break
        if _GREETING_LINE.match(folded) or _THANKS_LINE.match(folded) or _SUBJECT_LINE.match(folded):
            continue
        if line.strip():
            kept.append(line.strip())
    cleaned = " ".join(kept) if kept else text.strip()
    without_greeting = _GREETING_PREFIX.sub("", _strip_inline_framing(cleaned), count=1).strip()
    return without_greeting or cleaned.strip()
