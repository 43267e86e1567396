"""German texts of ticket e-mails and Telegram notices (plain text and simple HTML)."""

from __future__ import annotations

import html

from storage.tables import Ticket

CHANNEL_NAMES = {"telegram": "Telegram", "email": "E-Mail"}
RESPONSE_EXPECTATION = (
    "Die Fachstelle antwortet in der Regel innerhalb von zwei Arbeitstagen; in Ferienzeiten kann es etwas "
    "länger dauern."
)


def summary_line(question: str, limit: int = 70) -> str:
    """A one-line summary of a question for subjects (cut at a word boundary)."""
    flat = " ".join(question.split())
    if len(flat) <= limit:
        return flat or "Anfrage"
    cut = flat[:limit].rsplit(" ", 1)[0]
    return (cut or flat[:limit]) + " …"


def escalation_text(ticket: Ticket, conversation: list[str], considered: list[tuple[str, str]]) -> str:
    """Plain-text body of the mail that hands a new ticket to the advisors."""
    lines = [
        f"Neue Anfrage {ticket.reference} über {CHANNEL_NAMES.get(ticket.channel, ticket.channel)}",
        "",
        "Frage:",
        ticket.question.strip(),
        "",
        f"Kommune: {ticket.municipality_name or 'nicht angegeben'}"
        + (f" (AGS {ticket.municipality_ags})" if ticket.municipality_ags else ""),
        f"Anfragende Person: {ticket.requester_name or 'unbekannt'}"
        + (f" <{ticket.requester_email}>" if ticket.requester_email else ""),
    ]
    if conversation:
        lines += ["", "Letzter Gesprächsverlauf:"] + [f"  {turn}" for turn in conversation]
    if considered:
        lines += ["", "Geprüfte Einträge der Wissensbasis (ohne sichere Antwort):"]
        lines += [f"  - {title} ({entry_id})" for entry_id, title in considered]
    lines += [
        "",
        "Antworten Sie einfach auf diese E-Mail – Ihre Antwort wird der anfragenden Person weitergeleitet.",
        "Steuerzeilen: eine Zeile „#intern“ = nur für Kolleginnen und Kollegen, wird nicht weitergeleitet;",
        "„#erledigt“ = weiterleiten und die Anfrage abschließen.",
    ]
    return "\n".join(lines)


def text_to_html(text: str) -> str:
    """Simple HTML for a plain-text body: escaped, paragraphs kept."""
    paragraphs = [html.escape(part).replace("\n", "<br>\n") for part in text.split("\n\n")]
    return "<html><body>" + "".join(f"<p>{p}</p>\n" for p in paragraphs) + "</body></html>"


def requester_copy_text(ticket: Ticket) -> str:
    """Confirmation to the person who asked (Telegram copy or e-mail acknowledgement)."""
    return (
        "Guten Tag,\n\n"
        f"vielen Dank für Ihre Anfrage. Sie ist bei der Fachstelle Klima-Kommunen unter der Nummer "
        f"{ticket.reference} eingegangen. {RESPONSE_EXPECTATION}\n\n"
        "Ihre Frage:\n"
        f"{ticket.question.strip()}\n\n"
        f"Wenn Sie etwas ergänzen möchten, antworten Sie einfach auf diese E-Mail und lassen Sie die Nummer "
        f"[{ticket.reference}] im Betreff stehen.\n\n"
        "Mit freundlichen Grüßen\nklimabot – der digitale Assistent der Fachstelle Klima-Kommunen"
    )


def follow_up_text(ticket: Ticket, text: str, channel: str) -> str:
    """A further message of the requester, forwarded into the advisors' thread."""
    return (
        f"Nachricht zu {ticket.reference} von {ticket.requester_name or 'der anfragenden Person'} "
        f"({CHANNEL_NAMES.get(channel, channel)}):\n\n{text.strip()}"
    )


def telegram_reply_header(ticket: Ticket) -> str:
    """First line of a relayed advisor answer in Telegram (HTML)."""
    return f"💬 <b>Antwort der Fachstelle</b> zu Ihrer Anfrage <b>{html.escape(ticket.reference)}</b>:"


def telegram_closed_notice(ticket: Ticket) -> str:
    """Tells the Telegram user that the advisors closed the ticket."""
    return (
        f"✅ Ihre Anfrage <b>{html.escape(ticket.reference)}</b> wurde von der Fachstelle abgeschlossen. "
        "Wenn noch etwas offen ist, schreiben Sie mir einfach – ich helfe weiter oder verbinde Sie erneut."
    )


def email_closed_notice(ticket: Ticket) -> str:
    """Tells an e-mail requester that the ticket is closed."""
    return (
        f"Guten Tag,\n\nIhre Anfrage {ticket.reference} wurde von der Fachstelle abgeschlossen. Wenn noch "
        "etwas offen ist, antworten Sie einfach auf diese E-Mail.\n\nMit freundlichen Grüßen\n"
        "Fachstelle Klima-Kommunen"
    )


def sla_reminder_text(tickets: list[Ticket], hours: float) -> str:
    """Reminder to the advisors about tickets waiting longer than the SLA."""
    lines = [f"Diese Anfragen warten seit mehr als {hours:g} Arbeitsstunden auf eine Antwort:", ""]
    for ticket in tickets:
        since = ticket.waiting_since.strftime("%d.%m.%Y %H:%M") if ticket.waiting_since else "?"
        lines.append(f"  [{ticket.reference}] {summary_line(ticket.subject, 60)} – wartet seit {since} UTC")
    lines += ["", "Bitte antworten Sie auf die jeweilige Anfrage-E-Mail."]
    return "\n".join(lines)
