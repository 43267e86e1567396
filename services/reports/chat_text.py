"""The report conversation's texts in Telegram HTML, cut into messages that always fit and always parse.

Telegram refuses a message over 4096 characters and HTML with a broken entity, and a refused summary
would block the report on every later /bericht. So answers are cut before escaping, between characters,
and each piece is escaped and tagged on its own. Lengths are counted in UTF-16 units of the escaped text,
never less than what Telegram counts after parsing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.email_codes import CodeCheck
from services.report_fields import MEASURE_FIELDS, REPORT_FIELDS, Field, summary_lines
from services.reports.access import BindingOptions, BindingResult
from services.reports.domain import Draft, SubmitResult

TELEGRAM_TEXT_LIMIT = 4096
TOO_MANY_CODES = "Sie haben schon mehrere Codes angefordert. Bitte versuchen Sie es später noch einmal."
NOTHING_OPEN = "Bitte wählen Sie zuerst Kommune und Jahr – mit /bericht geht es los."

# one line of a message: (plain text, tag around it: "" for none, "b" or "i")
Line = Sequence[tuple[str, str]]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _render(text: str, tag: str) -> str:
    escaped = html.escape(text, quote=False)
    return f"<{tag}>{escaped}</{tag}>" if tag and text else escaped


def _fitting(text: str, room: int) -> int:
    """How many leading characters of `text` fit into `room` once escaped; a cut after a space is preferred."""
    used = taken = after_space = 0
    for index, char in enumerate(text):
        used += utf16_len(_render(char, ""))
        if used > room:
            break
        taken = index + 1
        if char.isspace():
            after_space = taken
    else:
        return taken
    return after_space if after_space > taken // 2 else taken


def _cut(line: Line, limit: int) -> list[str]:
    """A line too long for one message, as pieces that each fit."""
    pieces: list[str] = []
    parts: list[str] = []
    used = 0
    for text, tag in line:
        overhead = len(_render("x", tag)) - 1
        rest = text
        while rest:
            take = _fitting(rest, limit - used - overhead)
            if take == 0:
                if not parts:
                    raise ValueError(f"a limit of {limit} cannot hold a single character")
                pieces.append("".join(parts))
                parts, used = [], 0
                continue
            chunk = _render(rest[:take], tag)
            parts.append(chunk)
            used += utf16_len(chunk)
            rest = rest[take:]
            if rest:  # this message is full
                pieces.append("".join(parts))
                parts, used = [], 0
    if parts:
        pieces.append("".join(parts))
    return pieces


def html_messages(lines: Iterable[Line], *, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """The lines as HTML messages of at most `limit` UTF-16 units each, as few as fit."""
    messages: list[str] = []
    current = ""
    for line in lines:
        rendered = "".join(_render(text, tag) for text, tag in line)
        joined = f"{current}\n{rendered}" if current else rendered
        if utf16_len(joined) <= limit:
            current = joined
            continue
        if current:
            messages.append(current)
        if utf16_len(rendered) <= limit:
            current = rendered
            continue
        *full, current = _cut(line, limit)
        messages.extend(full)
    if current:
        messages.append(current)
    return [message for message in messages if message.strip()]


def _pairs(answers: Mapping[str, Any], fields: Sequence[Field] | None = None) -> list[Line]:
    shown = summary_lines(answers) if fields is None else summary_lines(answers, fields)
    return [[(f"{label}:", "b"), (f" {value}", "")] for label, value in shown]


def measure_summary_messages(answers: Mapping[str, Any]) -> list[str]:
    """The chat's measure in progress, label by label."""
    return html_messages([[("Ihre Maßnahme:", "b")], *_pairs(answers)])


def review_messages(draft: Draft) -> list[str]:
    """The whole report to check before submitting: the person, then every measure."""
    lines: list[Line] = [[(f"Bericht {draft.year} – {draft.municipality_name}", "b")]]
    lines += [[(f"{label}: {value}", "")] for label, value in summary_lines(draft.reporter, REPORT_FIELDS)]
    for number, measure in enumerate(draft.measures, start=1):
        lines += [[], [(f"Maßnahme {number}", "b")]]
        lines += [[(f"{label}: {value}", "")] for label, value in summary_lines(measure)]
    return html_messages(lines)


def opening_messages(draft: Draft) -> list[str]:
    """What to know when a report opens: it was submitted already, measures came over from last year."""
    lines: list[Line] = []
    if draft.state != "draft":
        lines.append(
            [
                (
                    f"Für {draft.municipality_name} ist der Bericht {draft.year} schon abgegeben "
                    f"(Version {draft.version_count}). Was Sie jetzt ändern, wird als neue Version gespeichert.",
                    "",
                )
            ]
        )
    if draft.owner_chat_id is not None and draft.chat_id is not None and draft.owner_chat_id != draft.chat_id:
        lines.append([("Hinweis: An diesem Bericht arbeitet noch jemand aus Ihrer Kommune mit.", "")])
    if draft.carried_over:
        lines.append(
            [
                (
                    "Aus dem Vorjahr übernehme ich die noch nicht abgeschlossenen Maßnahmen: "
                    + ", ".join(draft.carried_over)
                    + ". Ich frage nur nach dem neuen Stand und den Kosten.",
                    "",
                )
            ]
        )
    return html_messages(lines)


def problems_messages(problems: Sequence[str]) -> list[str]:
    """Why the report cannot be submitted yet, one point per line."""
    return html_messages(
        [[("Der Bericht ist noch nicht vollständig:", "")], *([(f"• {p}", "")] for p in problems)]
    )


def question_text(field: Field, measure_title: str | None = None) -> str:
    """One question, with the measure it belongs to (a carried-over one), a hint and an example."""
    lines: list[Line] = []
    if measure_title is not None:
        lines.append([(f"Maßnahme „{measure_title}“", "i")])
    lines.append([(field.question, "b")])
    if field.hint:
        lines.append([(field.hint, "i")])
    if field.example and not field.choices:
        lines.append([(f"Beispiel: {field.example}", "")])
    return html_messages(lines)[0]


def binding_offer(municipality: str, options: BindingOptions, fachstelle: str) -> str:
    """Why a code is needed, where it can go, and who helps otherwise."""
    name = html.escape(municipality)
    text = (
        f"🔐 Berichte für {name} bearbeiten nur Personen aus der Kommune. Dafür schicke ich Ihnen einen "
        "Bestätigungscode per E-Mail"
    )
    if options.targets:
        text += " – an eine Adresse, die wir schon kennen. Bitte wählen Sie eine aus."
    elif options.first_reporter:
        text += (
            f". Für {name} meldet bisher noch niemand: Nennen Sie mir bitte Ihre dienstliche "
            "E-Mail-Adresse, dann geht der Code dorthin."
        )
    else:
        text += ", aber für diese Kommune liegt mir keine passende Adresse vor."
    return text + f"\n\nKeine passende Adresse? Die Fachstelle hilft gern weiter: {html.escape(fachstelle)}"


def code_sent(masked: str, minutes: int) -> str:
    """Where the code went and what to do with it."""
    return (
        f"📧 Ich habe Ihnen einen Code an {html.escape(masked)} geschickt. Bitte geben Sie ihn hier ein – "
        f"er gilt {minutes} Minuten."
    )


def code_reply(result: BindingResult, municipality: str | None) -> str:
    """The answer to a typed code: bound, wrong (attempts left), or no longer valid."""
    if result.granted and municipality:
        return f"✅ Danke, bestätigt! Sie können jetzt für {html.escape(municipality)} melden."
    if result.check is CodeCheck.WRONG:
        left = result.attempts_left
        return f"Der Code stimmt nicht. Sie haben noch {left} Versuch{'e' if left != 1 else ''}."
    raced = "Inzwischen meldet schon jemand für Ihre Kommune. " if result.check is CodeCheck.CONFIRMED else ""
    return f"{raced}Dieser Code gilt nicht mehr – ich schicke Ihnen gern einen neuen."


def field_buttons(field: Field) -> list[tuple[str, str, str]]:
    """(label, action, value) of a question's buttons: its choices, and „Überspringen“ when optional."""
    buttons = [(label, "choice", value) for value, label in field.choices]
    if not field.required:
        buttons.append(("Überspringen", "skip", ""))
    return buttons


def summary_messages(draft: Draft) -> list[str]:
    """The chat's finished measure, or how many measures the report holds when it has none in progress."""
    if draft.current:
        return measure_summary_messages(draft.current)
    count = len(draft.measures)
    return [f"Ihr Bericht enthält {count} Maßnahme{'n' if count != 1 else ''}. Wie geht es weiter?"]


def summary_buttons(draft: Draft) -> list[tuple[str, str, str]]:
    """(label, action, value) under the summary: change the measure, add one, check the report."""
    if draft.current:
        return [
            ("✏️ Bearbeiten", "edit", ""),
            ("➕ Weitere Maßnahme", "new", ""),
            ("🔎 Bericht prüfen", "review", ""),
        ]
    return [("➕ Maßnahme hinzufügen", "new", "")] + (
        [("🔎 Bericht prüfen", "review", "")] if draft.measures else []
    )


def edit_buttons(current: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """(label, action, value) of the answers of the chat's measure that can be changed."""
    return [
        (field.label, "editfield", field.key) for field in MEASURE_FIELDS if current and field.key in current
    ]


DOCUMENT_CAPTION = "📎 Ihr Bericht als PDF – dieselbe Datei wie im Anhang der Bestätigungs-E-Mail."


def submitted_text(result: SubmitResult, draft: Draft) -> str:
    """The thanks for a submission, or why nothing new was stored."""
    if result.unchanged:
        return f"Keine Änderungen gegenüber Version {result.version} – es wurde nichts neu abgegeben."
    amended = " (Änderung: neue Version)" if result.amended else ""
    return (
        f"✅ Vielen Dank! Ihr Bericht {draft.year} für {html.escape(draft.municipality_name)} ist abgegeben – "
        f"Version {result.version}{amended}. Eine Bestätigung mit dem Bericht als Anhang kommt per E-Mail, "
        "die Fachstelle ist informiert."
    )
