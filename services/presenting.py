"""Turns an `Answer` into the German text a user reads (Telegram HTML, or plain text for CLI/JSON)."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import urlparse

from knowledge.intents import MessageIntent
from knowledge.markup import visible_text
from services.answering import Answer, AnswerKind

HELP_TEXT = (
    "Ich beantworte Fragen rund um das Bündnis <b>„Hessen aktiv: Die Klima-Kommunen“</b>: "
    "Mitgliedschaft und Charta, Aktionsplan, THG-Bilanz, Berichtspflicht, Förderung "
    "(z. B. Hessische Klimarichtlinie, Kommunalrichtlinie) und Klimaanpassung.\n\n"
    "Schreiben Sie Ihre Frage einfach in eigenen Worten, zum Beispiel:\n"
    "• <i>Wie viel Förderung bekommen wir als Klima-Kommune?</i>\n"
    "• <i>Muss der Aktionsplan beschlossen werden?</i>\n"
    "• <i>Welches Tool nehmen wir für die THG-Bilanz?</i>"
)


# Short Sie-form replies to small talk; the menu below them shows what the bot can do.
SMALLTALK_REPLIES = {
    MessageIntent.GREETING: "Guten Tag! Schön, dass Sie da sind. Was möchten Sie wissen? "
    "Schreiben Sie Ihre Frage einfach in eigenen Worten – oder wählen Sie unten ein Thema.",
    MessageIntent.THANKS: "Gern geschehen! Wenn noch etwas offen ist, fragen Sie einfach.",
    MessageIntent.GOODBYE: "Auf Wiedersehen und alles Gute! Sie können jederzeit wieder schreiben.",
    MessageIntent.IDENTITY: "Ich bin der digitale Assistent der Fachstelle Klima-Kommunen – ein Programm, "
    "kein Mensch. Ich antworte aus einer geprüften Wissensbasis mit Quellen; wenn ich unsicher bin, "
    "verbinde ich Sie mit den Beraterinnen und Beratern der Fachstelle.",
    MessageIntent.ACKNOWLEDGEMENT: "Gern! Wenn Sie noch eine Frage haben, schreiben Sie sie einfach.",
    MessageIntent.WISHES: "Vielen Dank, das wünschen wir Ihnen auch! Wenn Sie eine Frage haben, schreiben Sie sie "
    "einfach.",
}
ENGLISH_NOTE = "<i>(You wrote in English – here is the answer in German.)</i>"


def _no_match_text(contact: str) -> str:
    return (
        "Dazu habe ich leider keine verlässliche Antwort in meiner Wissensbasis – und raten möchte ich "
        "nicht. Ihre Frage ist für die Fachstelle notiert, damit wir die Wissensbasis ergänzen.\n\n"
        f"Eine Beraterin oder ein Berater der Fachstelle hilft Ihnen gern persönlich weiter: {_mail_link(contact)}"
    )


def _human_text(contact: str) -> str:
    return (
        "Gern verbinde ich Sie mit der Fachstelle Klima-Kommunen. Die Beraterinnen und Berater erreichen "
        f"Sie unter {_mail_link(contact)} – schildern Sie dort kurz Ihr Anliegen und nennen Sie Ihre Kommune."
    )


def _case_text(contact: str) -> str:
    return (
        "Zum Stand einzelner Anträge, Berichte oder Vorgänge Ihrer Kommune kann ich nichts sagen – "
        "darauf habe ich keinen Zugriff, und eine Vermutung wäre nicht hilfreich.\n\n"
        f"Bitte wenden Sie sich dafür direkt an die Fachstelle: {_mail_link(contact)}"
    )


def _offtopic_text(contact: str) -> str:
    return (
        "Dazu kann ich Ihnen leider nichts sagen – ich kenne mich nur mit den Themen des Bündnisses "
        "„Hessen aktiv: Die Klima-Kommunen“ aus: Mitgliedschaft, Aktionsplan, THG-Bilanz, Berichte, "
        "Förderung und Klimaanpassung.\n\n"
        f"Für alles andere ist die Fachstelle nicht der richtige Ansprechpartner; bei Fragen zum Bündnis "
        f"erreichen Sie sie unter {_mail_link(contact)}."
    )


def _mail_link(address: str) -> str:
    safe = html.escape(address, quote=True)
    return f'<a href="mailto:{safe}">{safe}</a>'


def _source_lines(answer: Answer) -> list[str]:
    lines = []
    for source in answer.entry.sources if answer.entry else ():
        url = str(source.url)
        label = urlparse(url).netloc.removeprefix("www.")
        lines.append(
            f'📎 Quelle: <a href="{html.escape(url, quote=True)}">{html.escape(label)}</a> '
            f"(Stand: {html.escape(source.as_of)})"
        )
    return lines


def _de_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def render_html(answer: Answer, *, contact: str) -> str:
    """The message for Telegram (HTML parse mode); user text is escaped, entries are trusted HTML."""
    if answer.kind is AnswerKind.HELP:
        return SMALLTALK_REPLIES.get(answer.intent, HELP_TEXT) if answer.intent else HELP_TEXT
    if answer.english:
        return f"{ENGLISH_NOTE}\n\n{_render_german(answer, contact=contact)}"
    return _render_german(answer, contact=contact)


def _render_german(answer: Answer, *, contact: str) -> str:
    if answer.kind is AnswerKind.SUGGEST:
        return (
            "Ich bin mir nicht ganz sicher, was Sie meinen. <b>Meinten Sie …?</b>\n"
            "Wählen Sie ein Thema – oder wenden Sie sich an die Fachstelle, wenn nichts passt."
        )
    if answer.kind is AnswerKind.ESCALATE:
        if answer.reason == "human":
            return _human_text(contact)
        if answer.reason == "case_specific":
            return _case_text(contact)
        if answer.reason == "offtopic":
            return _offtopic_text(contact)
        return _no_match_text(contact)
    entry = answer.entry
    parts = [f"<b>{html.escape(entry.title)}</b>", entry.answer.strip()]
    if answer.overdue:
        parts.append(
            f"⚠️ <i>Diese Auskunft wurde zuletzt am {_de_date(entry.reviewed)} geprüft und ist fällig für eine "
            "Überprüfung. Regeln können sich inzwischen geändert haben – lassen Sie sich den aktuellen Stand "
            f"bitte von der Fachstelle bestätigen ({html.escape(contact)}).</i>"
        )
    elif entry.consult:
        parts.append(
            "ℹ️ <i>Regeln und Fördersätze ändern sich gelegentlich. Für Ihren konkreten Fall berät Sie die "
            f"Fachstelle gern persönlich ({html.escape(contact)}).</i>"
        )
    parts.append("\n".join(_source_lines(answer)))
    return "\n\n".join(part for part in parts if part)


_LINK = re.compile(r'<a href="([^"]+)">(.*?)</a>', re.DOTALL)


def render_plain(answer: Answer, *, contact: str) -> str:
    """The same message as plain text; links keep their address."""
    rendered = render_html(answer, contact=contact)

    def _link(match: re.Match) -> str:
        target = html.unescape(match.group(1)).removeprefix("mailto:")
        label = visible_text(match.group(2))
        return label if label == target else f"{label} ({target})"

    text = visible_text(_LINK.sub(lambda m: html.escape(_link(m)), rendered))
    if answer.kind is AnswerKind.SUGGEST:
        text += "\n" + "\n".join(f"- {entry.title}" for entry in answer.suggestions)
    return text
