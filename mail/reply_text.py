"""Cut an e-mail reply down to its new text: quoted history, device footers and signatures go."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

TAG_INTERN = "intern"
TAG_DONE = "erledigt"
CONTROL_TAGS = frozenset({TAG_INTERN, TAG_DONE})


class CutKind(Enum):
    """Why the text ends at a line: history follows (attribution, header block, separator) or a footer."""

    ATTRIBUTION = "attribution"
    HEADER_BLOCK = "header-block"
    SEPARATOR = "separator"
    SIGNATURE = "signature"
    DEVICE_FOOTER = "device-footer"
    RULE = "rule"


HISTORY = frozenset({CutKind.ATTRIBUTION, CutKind.HEADER_BLOCK, CutKind.SEPARATOR})
FOOTERS = frozenset({CutKind.SIGNATURE, CutKind.DEVICE_FOOTER, CutKind.RULE})
ALL_CUTS = HISTORY | FOOTERS


@dataclass(frozen=True)
class Cut:
    """Where the new text ends: lines[start:end + 1] are the marker (one line, or a wrapped attribution)."""

    kind: CutKind
    start: int
    end: int


# "wrote" in the languages our and the corpora's clients use; matched as a whole word.
_WROTE = re.compile(
    r"(?<!\w)(?:wrote|writes|schrieb|schreibt|[ée]crit|scritto|schreef|escreveu|escribi[óo]|skrev|kirjoitti"
    r"|napisa[łl]|napsal|[íi]rta|написал|пишет)(?!\w)|写道|が書きました|작성",
    re.IGNORECASE,
)
# The attribution's last line ends with a colon (also full-width) or with the verb itself (some clients,
# and zoho's "---- On ... wrote ----").
_ATTRIBUTION_END = re.compile(r"(?:[:：]|" + _WROTE.pattern + r")[\s-]*$", re.IGNORECASE)
# A date or time: attributions always carry one, ordinary sentences ending in "schrieb:" rarely do.
_DATEISH = re.compile(r"\d{1,2}[:.h]\d{2}|(?<!\d)(?:19|20)\d{2}(?!\d)|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Verb-less attributions ("30.09.2017, 18.30, "Name" <addr>:", Russian/Gmail variants) end in "<addr>:".
_ADDRESS_COLON_END = re.compile(r"@[\w-]+(?:\.[\w-]+)+\s*(?:>|&gt;)\s*\)?\s*[:：]\s*$")
# ">:" alone is the tail of an address wrapped out of an attribution ("<addr\n>:"), not a quote.
_ADDRESS_TAIL = re.compile(r"^\s*>\s*[:：]\s*$")
# Words an attribution starts with ("On", "Am", "Le", "Op", "Em", "Il", ...) or a leading date.
_STARTER = re.compile(r"^\s*(?:(?:on|am|le|op|em|el|il|in data|w dniu|dnia|den|dne|på)\b|\d)", re.IGNORECASE)
# Lotus Notes / some webmailers put the name first: "Jonas Weber schrieb am 03.11.2026 10:15:".
_VERB_THEN_DATE = re.compile(r"(?<!\w)(?:schrieb|wrote)\s+(?:am|on)\s+\S*\d", re.IGNORECASE)
_MAX_ATTRIBUTION_LINES = 4
_MAX_ATTRIBUTION_CHARS = 400

# Outlook/GMX/Apple Mail put the quoted message's headers as "Key: value" lines (RFC 5322 names and their
# translations); French clients write a space before the colon, Outlook's HTML-to-text bolds them as *Key:*.
_HEADER_KEYS: dict[str, tuple[str, ...]] = {
    "from": ("from", "von", "de", "van", "da", "fra", "från", "od", "от", "lähettäjä", "feladó", "absender"),
    "date": (
        "sent", "date", "gesendet", "datum", "envoyé", "envoyé le", "message du", "verzonden", "inviato",
        "data", "dato", "sendt", "skickat", "lähetetty", "enviado", "enviada", "fecha", "wysłano",
        "отправлено", "дата", "sent at",
    ),
    "to": ("to", "an", "à", "a", "aan", "til", "till", "para", "per", "do", "кому", "vastaanottaja", "empfänger"),
    "cc": ("cc", "kopie", "copie à", "kopie an"),
    "subject": (
        "subject", "betreff", "objet", "sujet", "onderwerp", "oggetto", "emne", "ämne", "asunto", "assunto",
        "temat", "тема", "aihe", "tárgy",
    ),
}  # fmt: skip
_KEY_GROUP = {key: group for group, keys in _HEADER_KEYS.items() for key in keys}
_HEADER_LINE = re.compile(
    r"^\s*\*?\s*("
    + "|".join(re.escape(key).replace(r"\ ", r"\s+") for key in sorted(_KEY_GROUP, key=len, reverse=True))
    + r")\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_HEADER_BLOCK_SCAN = 12

# "-----Ursprüngliche Nachricht-----", "----- Original Message -----", "-------- Message d'origine --------",
# "---------- Forwarded message ---------", "---- On ... wrote ----".
_DASHED_TITLE = re.compile(r"^\s*-{2,}\s*[^-\s].{0,100}?[^-\s]\s*-{2,}\s*$")
_FORWARD_INTRO = re.compile(
    r"^\s*(?:begin forwarded message|anfang der weitergeleiteten nachricht|weitergeleitete nachricht"
    r"|forwarded message|original message|ursprüngliche nachricht)\s*:?\s*$",
    re.IGNORECASE,
)
# RFC 3676 §4.3: the signature starts after a line that is exactly "-- " (many clients drop the space).
_SIG_DELIMITER = re.compile(r"^--\s*$")
# A line of underscores: Outlook's separator above the quoted headers, or a mailing-list footer rule.
_UNDERSCORE_RULE = re.compile(r"^\s*_{2,}\s*$")
_SEPARATOR_ONLY = re.compile(r"^\s*[-_=*~]+\s*$")
# "Sent from my iPhone", "Von meinem iPhone gesendet", "Gesendet von Outlook für Android<url>", ...
_DEVICE_FOOTER = re.compile(
    r"^\s*(?:sent (?:from|with|via) \S.*|get outlook for \S.*|gesendet (?:von|mit|vom|über) \S.*"
    r"|von meinem \S.*gesendet\.?|(?:diese nachricht|diese e-mail) wurde (?:von|mit) \S.* gesendet\.?"
    r"|envoy[ée] (?:de|depuis|à partir de|avec) \S.*|obtenir outlook pour \S.*|enviado (?:desde|de) \S.*"
    r"|inviato da \S.*|verzonden (?:vanaf|met|van) \S.*|sendt fra \S.*|skickat från \S.*|lähetetty \S.*)$",
    re.IGNORECASE,
)
_URL = re.compile(r"<[^>]*>|\(?https?://\S+\)?")
_MAX_FOOTER_CHARS = 60
_MAX_FOOTER_WORDS = 8

_CONTROL_LINE = re.compile(r"^\s*#\s*(" + "|".join(sorted(CONTROL_TAGS)) + r")\s*$", re.IGNORECASE)


def extract_reply(text: str) -> str:
    """Return only the new text of a reply: no quoted history, attribution, signature or device footer."""
    return _extract(_lines(text), ALL_CUTS)


def strip_quoted_history(text: str) -> str:
    """Remove quoted history (attribution lines, Outlook header blocks, trailing '>' quotes); keep signatures."""
    return _extract(_lines(text), HISTORY)


def strip_signature(text: str) -> str:
    """Remove the signature ('-- '), device footers ('Sent from my iPhone') and everything after them."""
    return _extract(_lines(text), FOOTERS)


def find_control_tags(text: str) -> set[str]:
    """Control tags ('intern', 'erledigt') written on a line of their own in the new text of a reply."""
    return {
        match.group(1).lower()
        for line in extract_reply(text).split("\n")
        if (match := _CONTROL_LINE.match(line))
    }


def remove_control_lines(text: str) -> str:
    """Drop the '#intern' / '#erledigt' lines, so the rest can be forwarded to the user."""
    kept = [line for line in _lines(text) if not _CONTROL_LINE.match(line)]
    return _tidy(kept, drop_quotes=False)


def find_cut(lines: Sequence[str], start: int = 0, kinds: frozenset[CutKind] = ALL_CUTS) -> Cut | None:
    """The first line at or after `start` where the new text ends, or None."""
    for index in range(start, len(lines)):
        line = lines[index]
        if _is_quoted(line) or not line.strip():
            continue
        cut = _cut_at(lines, index, start)
        if cut is not None and cut.kind in kinds:
            return cut
    return None


def _extract(lines: list[str], kinds: frozenset[CutKind]) -> str:
    drop_quotes = bool(kinds & HISTORY)  # trailing '>' lines are history too
    cut = find_cut(lines, 0, kinds)
    if cut is None:
        return _tidy(lines, drop_quotes=drop_quotes)
    if cut.kind is CutKind.ATTRIBUTION:
        answers = _inline_answers(lines, cut, kinds)
        if answers is not None:
            return _tidy(lines[: cut.start] + answers, drop_quotes=drop_quotes)
    return _tidy(lines[: cut.start], drop_quotes=drop_quotes)


def _inline_answers(lines: list[str], cut: Cut, kinds: frozenset[CutKind]) -> list[str] | None:
    """The quote-and-answer part below an attribution when the reply is written between the quotes."""
    after = cut.end + 1
    first = next((i for i in range(after, len(lines)) if lines[i].strip()), None)
    if first is None or not _is_quoted(lines[first]):
        return None  # an unquoted quote (Outlook style) below the attribution is history, not answers
    following = find_cut(lines, after, kinds)
    if following is not None and following.kind in HISTORY:
        return None  # a further attribution/header: a thread of top-posts, not inline answers
    segment = lines[after : following.start if following else len(lines)]
    return segment if _has_answer_paragraph(segment) else None


def _has_answer_paragraph(segment: list[str]) -> bool:
    """True when an unquoted run of lines stands apart from the quotes (a blank line on one side).

    Runs glued to quotes on both sides are wrapped quote lines that lost their '>' (long lines re-wrapped
    by the sender's client), not answers.
    """
    index = 0
    while index < len(segment):
        if _is_answer_line(segment[index]):
            start = index
            while index < len(segment) and _is_answer_line(segment[index]):
                index += 1
            before_blank = start == 0 or not segment[start - 1].strip()
            after_blank = index == len(segment) or not segment[index].strip()
            if before_blank or after_blank:
                return True
        index += 1
    return False


def _is_answer_line(line: str) -> bool:
    return bool(line.strip()) and not _is_quoted(line) and not _SEPARATOR_ONLY.match(line)


def _cut_at(lines: Sequence[str], index: int, floor: int) -> Cut | None:
    line = lines[index]
    if _SIG_DELIMITER.match(line):
        return Cut(CutKind.SIGNATURE, index, index)
    if _UNDERSCORE_RULE.match(line):
        return Cut(CutKind.RULE, index, index)
    if (_DASHED_TITLE.match(line) and re.search(r"[^\W\d_]", line)) or _FORWARD_INTRO.match(line):
        return Cut(CutKind.SEPARATOR, index, index)
    if _is_device_footer(line):
        return Cut(CutKind.DEVICE_FOOTER, index, index)
    if _HEADER_LINE.match(line) and _is_header_block(lines, index):
        return Cut(CutKind.HEADER_BLOCK, index, index)
    if _ATTRIBUTION_END.search(line):
        start = _attribution_start(lines, index, floor)
        if start is not None:
            return Cut(CutKind.ATTRIBUTION, start, index)
    return None


def _is_device_footer(line: str) -> bool:
    if not _DEVICE_FOOTER.match(line):
        return False
    bare = _URL.sub("", line).strip()
    # "Sent from my desk, is much easier then my mobile phone." is a sentence, not a footer.
    return "," not in bare and len(bare) <= _MAX_FOOTER_CHARS and len(bare.split()) <= _MAX_FOOTER_WORDS


def _is_header_block(lines: Sequence[str], index: int) -> bool:
    """True when `index` starts a run of quoted-message header lines (From/Von + Date/To/Subject...)."""
    groups: list[str] = []
    from_has_address = False
    previous_was_key = False
    blank_run = 0
    for line in lines[index : index + _HEADER_BLOCK_SCAN]:
        if not line.strip():
            blank_run += 1
            if blank_run > 1:
                break
            continue
        match = _HEADER_LINE.match(line)
        if match:
            group = _KEY_GROUP[" ".join(match.group(1).lower().split())]
            groups.append(group)
            if group == "from":
                from_has_address = bool(_ADDRESS.search(line)) or "mailto" in line.lower()
            previous_was_key, blank_run = True, 0
        elif previous_was_key and blank_run == 0:
            # Outlook wraps a long "From: Name <address>" onto a second line.
            if groups[-1] == "from" and _ADDRESS.search(line):
                from_has_address = True
            previous_was_key = False
        else:
            break
    distinct = set(groups)
    if "from" not in distinct:
        return False
    others = distinct - {"from"}
    # "Von: 9 bis 17 Uhr" or "Von: Frankfurt / An: Berlin" in a sentence is no header block: ask for
    # three fields, or two when the sender field carries an address.
    return len(others) >= 2 or (len(others) == 1 and from_has_address)


def _attribution_start(lines: Sequence[str], end: int, floor: int) -> int | None:
    """First line of an attribution ending at `end` ("On <date>, <name> wrote:"), wrapped over up to 4 lines."""
    start = None
    for candidate in range(end, max(floor, end - _MAX_ATTRIBUTION_LINES + 1) - 1, -1):
        if not lines[candidate].strip() or _is_quoted(lines[candidate]):
            break
        if _is_attribution(" ".join(line.strip() for line in lines[candidate : end + 1])):
            start = candidate
            break
    if start is None:
        return None
    # Gmail wraps "On Mon, ... Name <" / "addr> wrote:"; go back to the line that starts the attribution.
    while (
        start > floor
        and end - start + 1 < _MAX_ATTRIBUTION_LINES
        and not _STARTER.match(lines[start])
        and lines[start - 1].strip()
        and not _is_quoted(lines[start - 1])
        and not lines[start - 1].rstrip().endswith((".", "!", "?"))
    ):
        start -= 1
    return start


def _is_attribution(block: str) -> bool:
    if len(block) > _MAX_ATTRIBUTION_CHARS or not _ATTRIBUTION_END.search(block):
        return False
    has_address = bool(_ADDRESS.search(block))
    if _WROTE.search(block):
        anchored = has_address or bool(_STARTER.match(block) or _VERB_THEN_DATE.search(block))
        return anchored and (has_address or bool(_DATEISH.search(block)))
    return bool(_ADDRESS_COLON_END.search(block) and _DATEISH.search(block))


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">") and not _ADDRESS_TAIL.match(line)


def _lines(text: str) -> list[str]:
    # Outlook and mobile clients put NBSP and zero-width characters into otherwise plain lines.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return text.split("\n")


def _tidy(lines: list[str], *, drop_quotes: bool) -> str:
    kept = list(lines)
    while kept and (
        not kept[-1].strip() or (drop_quotes and _is_quoted(kept[-1])) or _SEPARATOR_ONLY.match(kept[-1])
    ):
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    # Trailing blanks go, except in the RFC 3676 "-- " delimiter, which is defined by its space.
    return "\n".join(line if line == "-- " else line.rstrip() for line in kept)
