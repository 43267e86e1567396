"""German texts of ticket e-mails and Telegram notices (plain text and simple HTML)."""

from __future__ import annotations

import html
import unicodedata

from storage.tables import Ticket

CHANNEL_NAMES = {"telegram": "Telegram", "web": "Web-Chat", "email": "E-Mail"}
# Telegram allows 4,096 characters a message, counted in UTF-16 code units (an emoji counts twice);
# counting the escaped HTML is stricter than Telegram (an entity counts as one) and so always safe.
TELEGRAM_MAX_UNITS = 4096
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


def quarantine_notice_text(*, claimed_sender: str, subject: str, reference: str | None, problem: str) -> str:
    """Tells the advisors that a mail in an advisor's name was kept back, and what to do about it."""
    return (
        "Hallo,\n\neine E-Mail an das Beratungspostfach wurde nicht verarbeitet. Sie liegt im Ordner "
        "„Quarantine“ des Postfachs.\n\n"
        f"Absender laut E-Mail: {claimed_sender}\n"
        f"Betreff: {subject}\n"
        f"Anfrage: {reference or 'keine'}\n"
        f"Grund: {problem}\n\n"
        "Die E-Mail wurde niemandem weitergeleitet, keiner Anfrage hinzugefügt und hat nichts abgeschlossen.\n\n"
        "Haben Sie sie selbst geschrieben? Dann antworten Sie bitte direkt auf die E-Mail des Bots zu der "
        "Anfrage (mit der Nummer in eckigen Klammern im Betreff). Wenn nicht, hat jemand Ihre Adresse "
        "missbraucht: Öffnen Sie die E-Mail im Ordner „Quarantine“ nur mit Vorsicht und keine Anhänge.\n\n"
        "Bitte antworten Sie nicht auf diese Nachricht.\n\nklimabot"
    )


def telegram_chunks(text: str, *, first_prefix: str = "") -> list[str]:
    """`text` HTML-escaped and cut into Telegram messages: each fits after `first_prefix` (first only).

    Lengths are counted as Telegram counts them (UTF-16 code units) on the escaped text. A cut falls
    between characters of `text`, so never inside an entity or a surrogate pair; it prefers a line
    break, then a space, and never separates an emoji from its modifiers or joined parts.
    """
    costs = [_escaped_units(char) for char in text]
    chunks: list[str] = []
    start = 0
    budget = TELEGRAM_MAX_UNITS - _utf16_units(first_prefix)
    while start < len(text):
        end, used = start, 0
        while end < len(text) and used + costs[end] <= budget:
            used += costs[end]
            end += 1
        if end < len(text):
            end = _break_before(text, start, end)
        chunk = text[start:end].strip("\n")
        if chunk.strip():
            chunks.append(html.escape(chunk))
        start = end
        budget = TELEGRAM_MAX_UNITS
    return chunks or [""]


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _escaped_units(char: str) -> int:
    return _utf16_units(html.escape(char)) if char in "<>&\"'" else (2 if ord(char) > 0xFFFF else 1)


def _break_before(text: str, start: int, end: int) -> int:
    """Where to cut text[start:end] that does not fit: after a line break, a space, or between graphemes."""
    half = start + (end - start) // 2
    for separator in ("\n", " "):
        cut = text.rfind(separator, half, end)
        if cut >= 0:
            return cut + 1
    cut = end
    while cut > start + 1 and _joins(text[cut - 1], text[cut]):
        cut -= 1
    return cut if cut > start + 1 else end


def _joins(before: str, after: str) -> bool:
    """True when `after` belongs to the same visible character as `before` (UAX #29, simplified)."""
    return (
        before == "\u200d"
        or after in "\u200d\ufe0e\ufe0f"
        or "\U0001f3fb" <= after <= "\U0001f3ff"  # skin tone modifiers
        or "\U000e0020" <= after <= "\U000e007f"  # tag characters of flag sequences
        or unicodedata.category(after) in ("Mn", "Me", "Mc")
    )
